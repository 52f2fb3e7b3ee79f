package dev.vane.attention;

import jdk.incubator.vector.FloatVector;

/**
 * Rotary position embedding tables with Hugging Face semantics ({@code rotate_half}: the first
 * and second halves of a head form the rotated pairs).
 *
 * <pre>
 *   inv_freq_i = θ^(-2i/d),  i = 0 .. d/2-1        (then rescaled, see {@link RopeScaling})
 *   angle(p, i) = p · inv_freq_i
 *   rope(x)     = x · cos + rotate_half(x) · sin,   rotate_half([x1, x2]) = [-x2, x1]
 * </pre>
 *
 * Tables are built once in double precision and rounded to float, as PyTorch does when it
 * computes {@code outer(pos, inv_freq)} in float32 from a float32 {@code inv_freq}.
 */
public final class Rope {

    private Rope() {}

    /** Inverse frequencies, length {@code headDim/2}, computed in double then rounded to float. */
    public static float[] inverseFrequencies(int headDim, double theta, RopeScaling scaling) {
        if (headDim <= 0 || headDim % 2 != 0)
            throw new IllegalArgumentException("head_dim must be a positive even number, got " + headDim);
        int half = headDim / 2;
        double[] inv = new double[half];
        for (int i = 0; i < half; i++) inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
        if (scaling instanceof RopeScaling.Llama3 s) {
            double lowWavelen = s.originalMaxPositions() / s.lowFreqFactor();
            double highWavelen = s.originalMaxPositions() / s.highFreqFactor();
            for (int i = 0; i < half; i++) {
                double wavelen = 2 * Math.PI / inv[i];
                double scaled = wavelen > lowWavelen ? inv[i] / s.factor() : inv[i];
                if (wavelen >= highWavelen && wavelen <= lowWavelen) {
                    double smooth = (s.originalMaxPositions() / wavelen - s.lowFreqFactor())
                            / (s.highFreqFactor() - s.lowFreqFactor());
                    scaled = (1 - smooth) * scaled / s.factor() + smooth * scaled;
                }
                inv[i] = scaled;
            }
        }
        if (scaling instanceof RopeScaling.Divisors s) {
            float[] d = s.divisors();
            if (d.length != half) throw new IllegalArgumentException(d.length + " rope divisors for " + half + " frequencies");
            for (int i = 0; i < half; i++) inv[i] /= d[i];
        }
        float[] out = new float[half];
        for (int i = 0; i < half; i++) out[i] = (float) inv[i];
        return out;
    }

    /**
     * Tables for positions {@code 0..positions-1}: {@code cos[p, d]} and the signed sine
     * {@code sinSigned[p, d] = d < D/2 ? -sin : sin}, so that
     * {@code rope(x) = x·cos + swapHalves(x)·sinSigned} (one concat instead of a negation).
     */
    public static Tables tables(int positions, int headDim, double theta, RopeScaling scaling) {
        float[] inv = inverseFrequencies(headDim, theta, scaling);
        int half = headDim / 2;
        float[] cos = new float[positions * headDim];
        float[] sin = new float[positions * headDim];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * inv[i]; // float32 product, as torch.outer in f32
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[p * headDim + i] = c;
                cos[p * headDim + half + i] = c;
                sin[p * headDim + i] = -s;
                sin[p * headDim + half + i] = s;
            }
        }
        return new Tables(positions, headDim, cos, sin);
    }

    /** Row-major {@code [positions, headDim]} tables. */
    public record Tables(int positions, int headDim, float[] cos, float[] sinSigned) {

        /**
         * RoPE of one head in place: {@code x[off .. off + Dh)} at absolute position {@code pos}
         * becomes {@code x·cos + swapHalves(x)·sinSigned}, i.e. each pair {@code (lo, hi)} of the
         * two halves becomes {@code (lo·cos − hi·sin, hi·cos + lo·sin)}.
         */
        public void rotate(float[] x, int off, int pos) {
            int half = headDim / 2, table = pos * headDim;
            int i = 0;
            for (; i + Lanes.LANES <= half; i += Lanes.LANES) {
                FloatVector lo = FloatVector.fromArray(Lanes.F, x, off + i);
                FloatVector hi = FloatVector.fromArray(Lanes.F, x, off + half + i);
                lo.mul(FloatVector.fromArray(Lanes.F, cos, table + i))
                        .add(hi.mul(FloatVector.fromArray(Lanes.F, sinSigned, table + i))).intoArray(x, off + i);
                hi.mul(FloatVector.fromArray(Lanes.F, cos, table + half + i))
                        .add(lo.mul(FloatVector.fromArray(Lanes.F, sinSigned, table + half + i))).intoArray(x, off + half + i);
            }
            for (; i < half; i++) {
                float lo = x[off + i], hi = x[off + half + i];
                x[off + i] = lo * cos[table + i] + hi * sinSigned[table + i];
                x[off + half + i] = hi * cos[table + half + i] + lo * sinSigned[table + half + i];
            }
        }
    }
}
