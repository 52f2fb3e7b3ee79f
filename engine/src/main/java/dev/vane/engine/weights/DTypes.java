package dev.vane.engine.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Element conversions done in Java (DJL's BFLOAT16 arrays crash the native engine). */
public final class DTypes {

    private DTypes() {}

    /** bfloat16 → float: the 16 bits are the high half of an IEEE float. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** float → bfloat16 with round-to-nearest-even, NaN kept NaN (as PyTorch does). */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** Decodes a little-endian BF16 buffer into a direct f32 buffer. */
    public static ByteBuffer bf16ToF32(ByteBuffer src, long count) {
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(count * 4)).order(ByteOrder.nativeOrder());
        FloatBuffer f = out.asFloatBuffer();
        ByteBuffer s = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < count; i++) f.put(bf16ToFloat(s.getShort()));
        return out;
    }
}
