package dev.vane.bench;

import dev.vane.engine.kernel.BlockRows;
import dev.vane.engine.kernel.F16Gemv;
import dev.vane.engine.kernel.Q4Gemv;
import dev.vane.engine.kernel.Q4KGemv;
import dev.vane.engine.kernel.Q8Gemv;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * One matrix kernel alone, one thread: time per call of {@link F16Gemv#multiply} (or, with
 * {@code --format q4_0|q4_k}, {@link Q4Gemv#multiply} or {@link Q4KGemv#multiply} on random blocks) on the
 * {@code smollm2-135m} layer shapes at several batch sizes, as nanoseconds per weight and per
 * weight·row (a multiply-add of one weight with one input row). At batch 1 the kernel is bound by
 * reading the weights; at batch 8 every weight is used 8 times and the arithmetic decides.
 *
 * The default matrix is 4096 × 576 (4.7 MB of f16: beyond L2, like a decode step's weights).
 * {@code --copies 1} with a small matrix keeps the weights in cache: the arithmetic alone.
 * One JSON line per batch size.
 */
@Command(name = "vane bench GemvBench", sortOptions = false,
        description = "The f16 matrix kernel alone, one thread: time per call at several batch sizes, one JSON line per batch size.")
public final class GemvBench implements Callable<Integer> {

    @Option(names = "--rows", defaultValue = "1,2,4,8", split = ",", paramLabel = "B,B,...", description = "batch sizes (${DEFAULT-VALUE})")
    List<Integer> batches;
    @Option(names = "--in", defaultValue = "576", paramLabel = "N", description = "input width (${DEFAULT-VALUE})")
    int in;
    @Option(names = "--out", defaultValue = "4096", paramLabel = "N", description = "output width (${DEFAULT-VALUE})")
    int out;
    @Option(names = "--seconds", defaultValue = "2", paramLabel = "S", description = "measured seconds per batch size (${DEFAULT-VALUE})")
    double seconds;
    @Option(names = "--copies", paramLabel = "N", description = "matrices cycled through (default: ~38 MB of them)")
    Integer copiesFlag;
    @Option(names = "--format", defaultValue = "f16", paramLabel = "f16|q4_0|q4_k", description = "weight format (${DEFAULT-VALUE})")
    String format;

    public static void main(String[] args) {
        BenchCli.main(new GemvBench(), args);
    }

    @Override
    public Integer call() {
        // several matrices, so a run reads memory rather than cache (~38 MB in all)
        double bytesPerWeight = switch (format) { case "q4_0" -> 20 / 32.0; case "q4_k" -> 19 / 32.0; default -> 2; };
        int copies = copiesFlag != null ? copiesFlag : Math.max(1, (int) (40_000_000L / (bytesPerWeight * in * out)));
        SplittableRandom rnd = new SplittableRandom(1);
        if (!List.of("f16", "q4_0", "q4_k").contains(format)) throw new IllegalArgumentException("--format: f16, q4_0 or q4_k, got '" + format + "'");
        F16Gemv.Packed[] w = new F16Gemv.Packed[copies];
        Q4Gemv.Packed[] q = new Q4Gemv.Packed[copies];
        Q4KGemv.Packed[] k = new Q4KGemv.Packed[copies];
        for (int c = 0; c < copies; c++) {
            if (format.equals("f16")) {
                short[] m = new short[in * out];
                for (int i = 0; i < m.length; i++) m[i] = Float.floatToFloat16((float) rnd.nextGaussian() * 0.02f);
                w[c] = F16Gemv.pack(m, out, in);
            } else {
                long seed = rnd.nextLong();
                BlockRows random = (o, d, data) -> { // random scales and nibbles (6-bit Q4_K scales from random bytes)
                    java.util.SplittableRandom r = new java.util.SplittableRandom(seed + o);
                    for (int i = 0; i < d.length; i++) d[i] = Float.floatToFloat16((float) r.nextGaussian() * 0.001f);
                    for (int i = 0; i < data.length; i++) data[i] = (byte) r.nextInt(256);
                };
                if (format.equals("q4_0")) q[c] = Q4Gemv.pack(random, out, in, null);
                else k[c] = Q4KGemv.pack(random, out, in, null);
            }
        }
        for (int rows : batches) {
            float[] x = new float[rows * in];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            float[] y = new float[rows * out];
            float[] xin = format.equals("f16") ? x : Q8Gemv.inputs(x, rows, in).clone();
            long calls = 0, t0 = System.nanoTime(), warm = t0 + (long) (0.5e9 * seconds);
            long start = 0, measured = 0;
            while (true) {
                long now = System.nanoTime();
                if (start == 0 && now >= warm) { start = now; measured = 0; }
                if (start != 0 && now - start >= seconds * 1e9) break;
                int c = (int) (calls++ % copies);
                if (w[c] != null) F16Gemv.multiply(w[c], x, rows, y, 0, out);
                else if (q[c] != null) Q4Gemv.multiply(q[c], xin, rows, y, 0, out);
                else Q4KGemv.multiply(k[c], xin, rows, y, 0, out);
                measured++;
            }
            double ns = (double) (System.nanoTime() - start) / measured;
            double weights = (double) in * out;
            System.out.printf(Locale.ROOT, "{\"bench\":\"gemv\",\"format\":\"%s\",\"in\":%d,\"out\":%d,\"rows\":%d,\"us_per_call\":%.1f,"
                            + "\"ns_per_weight\":%.4f,\"ns_per_weight_row\":%.4f,\"weight_gb_s\":%.2f,\"check\":%.3f}%n",
                    format, in, out, rows, ns / 1e3, ns / weights, ns / weights / rows, bytesPerWeight * weights / ns, y[out / 2]);
        }
        return 0;
    }
}
