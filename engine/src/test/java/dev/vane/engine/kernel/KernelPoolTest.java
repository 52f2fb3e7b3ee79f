package dev.vane.engine.kernel;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KernelPoolTest {

    @Test
    void everyChunkRunsExactlyOnceAcrossManySections() throws Exception {
        try (KernelPool pool = new KernelPool(3)) {
            for (int round = 0; round < 2000; round++) {
                int chunks = 1 + round % 37;
                AtomicIntegerArray hits = new AtomicIntegerArray(chunks);
                pool.run(chunks, hits::incrementAndGet);
                for (int c = 0; c < chunks; c++) assertEquals(1, hits.get(c), "round " + round + " chunk " + c);
                // now and then let the workers go past their spin time and park
                if (round % 500 == 0) Thread.sleep(5);
            }
        }
    }

    @Test
    void aFailingChunkFailsTheSectionAndThePoolStaysUsable() {
        try (KernelPool pool = new KernelPool(2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.run(64, c -> {
                if (c == 40) throw new IllegalArgumentException("chunk 40");
            }));
            assertEquals("chunk 40", e.getMessage());
            AtomicIntegerArray hits = new AtomicIntegerArray(8);
            pool.run(8, hits::incrementAndGet);
            for (int c = 0; c < 8; c++) assertEquals(1, hits.get(c));
        }
    }

    @Test
    void matrixProductOnThePoolEqualsTheSingleThreadedOne() {
        int in = 32, out = 1000, rows = 3;
        short[] w = new short[in * out];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        for (int i = 0; i < w.length; i++) w[i] = Float.floatToFloat16((float) (rng.nextDouble() - 0.5));
        float[] x = new float[rows * in];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        float[] expected = new float[rows * out];
        F16Gemv.multiply(F16Gemv.pack(w, out, in), x, rows, expected, 0, out);
        try (KernelPool pool = new KernelPool(2)) {
            float[] y = F16Matrix.wrap(w, out, in).multiply(x, rows, pool);
            for (int i = 0; i < y.length; i++) assertEquals(expected[i], y[i], 0f, "element " + i);
        }
    }
}
