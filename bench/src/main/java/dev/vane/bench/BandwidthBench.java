package dev.vane.bench;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The ceiling that memory bandwidth puts on batch-1 decode: how fast {@code threads} threads can
 * merely read as many f16 weights as one decode step of a model reads, with no arithmetic beyond
 * widening and summing them. A decode step at batch 1 reads every weight once, so
 * {@code 1 / seconds} here bounds its tokens/s from above on this machine, whatever the kernel.
 *
 * The default, 180M, is the {@code smollm2-135m} preset's weights plus its (tied, so read again
 * for the logits) 128,256 × 576 LM head. One JSON line per run.
 */
@Command(name = "vane bench BandwidthBench", sortOptions = false,
        description = "The memory-read ceiling of batch-1 decode: f16 weights summed by N threads, one JSON line per run.")
public final class BandwidthBench implements Callable<Integer> {

    private static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;

    @Option(names = "--weights", defaultValue = "180000000", paramLabel = "N", description = "f16 weights read per run (${DEFAULT-VALUE})")
    int n;
    @Option(names = "--threads", defaultValue = "2", paramLabel = "N", description = "reading threads (${DEFAULT-VALUE})")
    int threads;
    @Option(names = "--runs", defaultValue = "5", paramLabel = "N", description = "measured runs (${DEFAULT-VALUE})")
    int runs;

    public static void main(String[] args) {
        BenchCli.main(new BandwidthBench(), args);
    }

    @Override
    public Integer call() throws Exception {
        short[] w = new short[n];
        for (int i = 0; i < n; i += 1024) w[i] = (short) i; // touch every page
        for (int r = -2; r < runs; r++) {
            long sink = 0;
            long t0 = System.nanoTime();
            Thread[] ts = new Thread[threads];
            long[] part = new long[threads];
            for (int t = 0; t < threads; t++) {
                int id = t, per = n / threads / 8 * 8, lo = id * per, hi = id == threads - 1 ? n / 8 * 8 : lo + per;
                ts[t] = new Thread(() -> part[id] = sum(w, lo, hi));
                ts[t].start();
            }
            for (Thread t : ts) t.join();
            double s = (System.nanoTime() - t0) / 1e9;
            for (long p : part) sink += p;
            if (r < 0) continue;
            System.out.printf(Locale.ROOT, "{\"bench\":\"bandwidth\",\"weights\":%d,\"threads\":%d,\"run\":%d,\"ms\":%.2f,"
                            + "\"gb_s\":%.2f,\"decode_tok_s_ceiling\":%.1f,\"checksum\":%d}%n",
                    n, threads, r, s * 1e3, 2.0 * n / s / 1e9, 1 / s, sink);
        }
        return 0;
    }

    /** Σ w[lo..hi) widened to int, eight lanes at a time (the read is all the work). */
    private static long sum(short[] w, int lo, int hi) {
        IntVector acc = IntVector.zero(I);
        for (int i = lo; i < hi; i += 8)
            acc = acc.add((IntVector) ShortVector.fromArray(S, w, i).convertShape(VectorOperators.S2I, I, 0));
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
