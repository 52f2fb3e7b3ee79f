package dev.vane.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The ceiling that arithmetic puts on batched decode, as {@link BandwidthBench} gives the one
 * that memory puts on batch 1: how many f32 multiply-adds per second {@code threads} threads
 * retire with the widest vectors the JVM offers, on registers only (twelve independent
 * accumulators per thread, enough to hide the FMA latency on two ports). A decode step of
 * {@code B} streams does {@code B · weights} multiply-adds, so once the weights come from memory
 * once per step for the whole batch, {@code fma_per_s / weights} bounds the batch's tokens/s
 * from above; the f16 kernels spend part of the same ports widening weights, so they reach a
 * fraction of it. The default, 180M, is the {@code smollm2-135m} preset's weights plus its
 * (tied, read again for the logits) LM head. One JSON line per run.
 */
@Command(name = "vane bench FmaBench", sortOptions = false,
        description = "The arithmetic ceiling of batched decode: f32 vector FMAs per second on N threads, one JSON line per run.")
public final class FmaBench implements Callable<Integer> {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    @Option(names = "--weights", defaultValue = "180000000", paramLabel = "N", description = "multiply-adds per token (${DEFAULT-VALUE})")
    long weights;
    @Option(names = "--threads", defaultValue = "2", paramLabel = "N", description = "threads (${DEFAULT-VALUE})")
    int threads;
    @Option(names = "--iterations", defaultValue = "200000000", paramLabel = "N", description = "loop iterations per thread and run, 12 vector FMAs each (${DEFAULT-VALUE})")
    long iterations;
    @Option(names = "--runs", defaultValue = "5", paramLabel = "N", description = "measured runs (${DEFAULT-VALUE})")
    int runs;

    public static void main(String[] args) {
        BenchCli.main(new FmaBench(), args);
    }

    @Override
    public Integer call() throws Exception {
        for (int r = -2; r < runs; r++) { // two unmeasured runs: C2 compiles the loop
            long n = r < 0 ? iterations / 20 : iterations;
            float[] part = new float[threads];
            Thread[] ts = new Thread[threads];
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int id = t;
                ts[t] = new Thread(() -> part[id] = fmas(n, 1f + id));
                ts[t].start();
            }
            for (Thread t : ts) t.join();
            double s = (System.nanoTime() - t0) / 1e9;
            if (r < 0) continue;
            double perSecond = 12.0 * F.length() * n * threads / s;
            float sink = 0;
            for (float p : part) sink += p;
            System.out.printf(Locale.ROOT, "{\"bench\":\"fma\",\"lanes\":%d,\"threads\":%d,\"run\":%d,\"ms\":%.1f,"
                            + "\"g_fma_s\":%.1f,\"weights\":%d,\"batched_decode_tok_s_ceiling\":%.1f,\"checksum\":%s}%n",
                    F.length(), threads, r, s * 1e3, perSecond / 1e9, weights, perSecond / weights, Float.toString(sink));
        }
        return 0;
    }

    /**
     * {@code n} rounds of twelve independent {@code a = a·m + c} on vectors (the multiplier just
     * under 1, so the values stay finite and normal); the sum of the lanes keeps the work live.
     */
    private static float fmas(long n, float seed) {
        FloatVector m = FloatVector.broadcast(F, 0.999999f), c = FloatVector.broadcast(F, 1e-6f);
        FloatVector a0 = FloatVector.broadcast(F, seed), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3), a4 = a0.add(4),
                a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7), a8 = a0.add(8), a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        for (long i = 0; i < n; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).reduceLanes(VectorOperators.ADD);
    }
}
