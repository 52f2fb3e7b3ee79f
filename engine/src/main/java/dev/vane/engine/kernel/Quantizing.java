package dev.vane.engine.kernel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Rows of f16 bits quantised as they are read, for the packing of a quantised matrix. */
final class Quantizing {

    private Quantizing() {}

    /** A row quantiser: {@code x[from .. from + n)} to its blocks' scales (f16 bits) and data. */
    @FunctionalInterface
    interface Quantizer {
        void quantize(float[] x, int from, int n, short[] scales, byte[] data);
    }

    /** {@code src}'s rows widened to f32 and quantised, with a pair of buffers per reading thread (gone with the rows). */
    static BlockRows rows(F16Gemv.Rows src, int in, Quantizer quantizer) {
        record Scratch(short[] halves, float[] floats) {}
        Map<Thread, Scratch> scratch = new ConcurrentHashMap<>();
        return (o, scales, data) -> {
            Scratch b = scratch.computeIfAbsent(Thread.currentThread(), t -> new Scratch(new short[in], new float[in]));
            src.row(o, b.halves());
            for (int i = 0; i < in; i++) b.floats()[i] = Float.float16ToFloat(b.halves()[i]);
            quantizer.quantize(b.floats(), 0, in, scales, data);
        };
    }
}
