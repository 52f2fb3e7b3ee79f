package dev.vane.bench;

import dev.vane.engine.kernel.F16Gemv;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * The f16 matrix kernel alone, one thread: time per call of {@link F16Gemv#multiply} on the
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

    public static void main(String[] args) {
        BenchCli.main(new GemvBench(), args);
    }

    @Override
    public Integer call() {
        // several matrices, so a run reads memory rather than cache (~38 MB in all)
        int copies = copiesFlag != null ? copiesFlag : Math.max(1, (int) (40_000_000L / (2L * in * out)));
        SplittableRandom rnd = new SplittableRandom(1);
        F16Gemv.Packed[] w = new F16Gemv.Packed[copies];
        for (int c = 0; c < copies; c++) {
            short[] m = new short[in * out];
            for (int i = 0; i < m.length; i++) m[i] = Float.floatToFloat16((float) rnd.nextGaussian() * 0.02f);
            w[c] = F16Gemv.pack(m, out, in);
        }
        for (int rows : batches) {
            float[] x = new float[rows * in];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            float[] y = new float[rows * out];
            long calls = 0, t0 = System.nanoTime(), warm = t0 + (long) (0.5e9 * seconds);
            long start = 0, measured = 0;
            while (true) {
                long now = System.nanoTime();
                if (start == 0 && now >= warm) { start = now; measured = 0; }
                if (start != 0 && now - start >= seconds * 1e9) break;
                F16Gemv.multiply(w[(int) (calls++ % copies)], x, rows, y, 0, out);
                measured++;
            }
            double ns = (double) (System.nanoTime() - start) / measured;
            double weights = (double) in * out;
            System.out.printf(Locale.ROOT, "{\"bench\":\"gemv\",\"in\":%d,\"out\":%d,\"rows\":%d,\"us_per_call\":%.1f,"
                            + "\"ns_per_weight\":%.4f,\"ns_per_weight_row\":%.4f,\"weight_gb_s\":%.2f,\"check\":%.3f}%n",
                    in, out, rows, ns / 1e3, ns / weights, ns / weights / rows, 2 * weights / ns, y[out / 2]);
        }
        return 0;
    }
}
