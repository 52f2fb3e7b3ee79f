package dev.vane.engine.generate;

/**
 * In-place logit transforms applied before sampling. All methods work on one row of logits
 * ({@code logits[token]}) and touch only the entries they change: the penalties cost
 * O(distinct tokens seen), not O(vocabulary).
 *
 * <p>Arithmetic is done in {@code double} and rounded once to {@code float}; a finite logit that a
 * penalty would push above {@link Float#MAX_VALUE} is saturated there instead of becoming infinite.
 * {@code -Infinity} (a masked token) stays {@code -Infinity}.
 */
public final class LogitsProcessor {
    private LogitsProcessor() {
    }

    /**
     * Adds each {@code logit_bias} entry to its token's logit (OpenAI semantics: before sampling;
     * ±100 all but bans or forces a token). Saturated at ±{@link Float#MAX_VALUE}.
     *
     * @throws IllegalArgumentException if a biased token id is outside {@code logits}
     */
    public static void applyBias(float[] logits, java.util.Map<Integer, Float> bias) {
        for (java.util.Map.Entry<Integer, Float> e : bias.entrySet()) {
            int t = e.getKey();
            checkIndex(t, logits);
            logits[t] = saturate((double) logits[t] + e.getValue());
        }
    }

    /**
     * Applies, in this order, the repetition penalty and then the presence and frequency penalties of
     * {@code params} (each skipped when disabled).
     *
     * @see #applyRepetitionPenalty
     * @see #applyPresenceFrequencyPenalties
     */
    public static void applyPenalties(float[] logits, TokenCounts counts, SamplingParams params) {
        if (params.repetitionPenalty() != 1) {
            applyRepetitionPenalty(logits, counts, params.repetitionPenalty());
        }
        if (params.presencePenalty() != 0 || params.frequencyPenalty() != 0) {
            applyPresenceFrequencyPenalties(logits, counts, params.presencePenalty(), params.frequencyPenalty());
        }
    }

    /**
     * Repetition penalty (Keskar et al. 2019, "CTRL"; Hugging Face / vLLM semantics). For every
     * distinct token {@code t} that occurs in the prompt <em>or</em> among the generated tokens:
     *
     * <pre>
     *   l[t] = l[t] &gt; 0 ? l[t] / penalty : l[t] * penalty
     * </pre>
     *
     * so {@code penalty > 1} makes seen tokens less likely whatever the sign of their logit, and
     * {@code penalty < 1} more likely. Each token is penalised once, however often it occurred.
     *
     * @throws IllegalArgumentException if {@code penalty} is not finite and positive, or a seen token id
     *         is outside {@code logits}
     */
    public static void applyRepetitionPenalty(float[] logits, TokenCounts counts, double penalty) {
        if (!(penalty > 0) || Double.isInfinite(penalty)) {
            throw new IllegalArgumentException("repetition penalty must be finite and > 0, got " + penalty);
        }
        if (penalty == 1) {
            return;
        }
        for (int slot = 0, n = counts.slotCount(); slot < n; slot++) {
            int t = counts.tokenAt(slot);
            if (t < 0) {
                continue;
            }
            checkIndex(t, logits);
            float l = logits[t];
            logits[t] = saturate(l > 0 ? l / penalty : l * penalty);
        }
    }

    /**
     * Presence and frequency penalties (OpenAI semantics), over the <em>generated</em> tokens only.
     * With {@code c[t]} the number of times token {@code t} has been generated so far:
     *
     * <pre>
     *   l[t] = l[t] - frequency * c[t] - presence * (c[t] &gt; 0 ? 1 : 0)
     * </pre>
     *
     * Prompt tokens that were never generated are untouched. Negative penalties favour repetition.
     *
     * @throws IllegalArgumentException if a penalty is not finite, or a generated token id is outside
     *         {@code logits}
     */
    public static void applyPresenceFrequencyPenalties(float[] logits, TokenCounts counts, double presence,
                                                       double frequency) {
        if (!Double.isFinite(presence) || !Double.isFinite(frequency)) {
            throw new IllegalArgumentException(
                    "presence and frequency penalties must be finite, got " + presence + ", " + frequency);
        }
        if (presence == 0 && frequency == 0) {
            return;
        }
        for (int slot = 0, n = counts.slotCount(); slot < n; slot++) {
            int t = counts.tokenAt(slot);
            if (t < 0) {
                continue;
            }
            int c = counts.generatedCountAt(slot);
            if (c == 0) {
                continue;
            }
            checkIndex(t, logits);
            logits[t] = saturate(logits[t] - (frequency * c + presence));
        }
    }

    /**
     * Temperature scaling of every logit:
     *
     * <pre>
     *   l[t] = l[t] / temperature
     * </pre>
     *
     * so that {@code softmax(l / T)} is sharper for {@code T < 1} and flatter for {@code T > 1}.
     * (The {@link Sampler} uses the equivalent, overflow-free {@code (l[t] - max l) / T}.)
     *
     * @throws IllegalArgumentException if {@code temperature} is not finite and positive; temperature 0
     *         means greedy decoding and has no scaling form
     */
    public static void applyTemperature(float[] logits, double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
        }
        if (temperature == 1) {
            return;
        }
        for (int t = 0; t < logits.length; t++) {
            logits[t] = saturate(logits[t] / temperature);
        }
    }

    /** Rounds to float, clamping a finite overflow to {@code ±Float.MAX_VALUE}; infinities pass through. */
    static float saturate(double v) {
        float f = (float) v;
        if (Float.isInfinite(f) && !Double.isInfinite(v)) {
            return f > 0 ? Float.MAX_VALUE : -Float.MAX_VALUE;
        }
        return f;
    }

    private static void checkIndex(int token, float[] logits) {
        if (token >= logits.length) {
            throw new IllegalArgumentException(
                    "token id " + token + " is outside the logits row of size " + logits.length);
        }
    }
}
