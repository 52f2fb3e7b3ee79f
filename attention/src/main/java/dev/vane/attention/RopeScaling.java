package dev.vane.attention;

/** How rotary frequencies are rescaled for long context. */
public sealed interface RopeScaling {

    /** Plain RoPE: {@code inv_freq_i = θ^(-2i/d)}. */
    record None() implements RopeScaling {}

    /**
     * Llama 3 scaling: low frequencies (wavelength above {@code original/lowFreqFactor}) are
     * divided by {@code factor}, high frequencies (wavelength below {@code original/highFreqFactor})
     * are kept, and the band between is interpolated smoothly.
     */
    record Llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions)
            implements RopeScaling {
        public Llama3 {
            if (!(factor > 0)) throw new IllegalArgumentException("rope_scaling.factor must be > 0, got " + factor);
            if (!(highFreqFactor > lowFreqFactor))
                throw new IllegalArgumentException("rope_scaling.high_freq_factor must exceed low_freq_factor");
            if (originalMaxPositions <= 0)
                throw new IllegalArgumentException("rope_scaling.original_max_position_embeddings must be > 0");
        }
    }

    /**
     * A divisor per frequency, {@code inv_freq_i / divisors[i]}: how GGUF files carry Llama 3's
     * scaling (the tensor {@code rope_freqs.weight}) and linear scaling (one factor throughout).
     */
    record Divisors(float[] divisors) implements RopeScaling {
        public Divisors {
            divisors = divisors.clone();
            for (float d : divisors)
                if (!(d > 0) || !Float.isFinite(d)) throw new IllegalArgumentException("rope frequency divisors must be finite and > 0, got " + d);
        }

        @Override
        public float[] divisors() { return divisors.clone(); }

        @Override
        public boolean equals(Object o) { return o instanceof Divisors d && java.util.Arrays.equals(divisors, d.divisors); }

        @Override
        public int hashCode() { return java.util.Arrays.hashCode(divisors); }

        @Override
        public String toString() { return "Divisors" + java.util.Arrays.toString(divisors); }
    }

    RopeScaling NONE = new None();
}
