package dev.vane.engine.generate;

import java.util.List;
import java.util.Objects;

/**
 * The log-probability of the chosen token and the {@code top} most likely alternatives at one step,
 * as returned for OpenAI {@code logprobs}.
 *
 * <p>Like vLLM's default, these come from the <em>raw</em> model logits, before penalties, temperature
 * and filtering:
 *
 * <pre>
 *   logprob[t] = l[t] - logZ,   logZ = m + ln( sum_u exp(l[u] - m) ),   m = max_u l[u]
 * </pre>
 *
 * computed with max-subtraction and {@code double} accumulation, so it neither overflows nor loses the
 * small terms.
 *
 * @param chosen the sampled token and its log-probability
 * @param top the {@code n} most likely tokens, most likely first (ties: lower token id first); may or
 *        may not contain the chosen token
 */
public record TokenLogprobs(TokenLogprob chosen, List<TokenLogprob> top) {
    public TokenLogprobs {
        Objects.requireNonNull(chosen, "chosen");
        top = List.copyOf(top);
    }

    /**
     * Computes the chosen token's log-probability and the {@code topN} most likely tokens from one row of
     * raw logits. O(vocabulary · log topN) time; allocates only O(topN).
     *
     * @param logits raw model logits for one position, not modified
     * @param chosen the sampled token id
     * @param topN how many alternatives, {@code 0 <= topN} (capped at the vocabulary size)
     * @throws IllegalArgumentException if {@code chosen} is out of range, {@code topN < 0}, or the logits
     *         are empty or contain NaN or +Infinity
     * @throws IllegalStateException if every logit is -Infinity
     */
    public static TokenLogprobs compute(float[] logits, int chosen, int topN) {
        int vocab = logits.length;
        if (chosen < 0 || chosen >= vocab) {
            throw new IllegalArgumentException("chosen token " + chosen + " is outside the logits row of size " + vocab);
        }
        if (topN < 0) {
            throw new IllegalArgumentException("topN must be >= 0, got " + topN);
        }
        double logZ = logNormalizer(logits);
        TokenLogprob chosenLogprob = new TokenLogprob(chosen, (float) (logits[chosen] - logZ));
        int n = Math.min(topN, vocab);
        if (n == 0) {
            return new TokenLogprobs(chosenLogprob, List.of());
        }

        // Min-heap (worst at the root) of the n best tokens, order: larger logit, then lower id.
        int[] heap = new int[n];
        int size = 0;
        for (int t = 0; t < vocab; t++) {
            if (size < n) {
                heap[size] = t;
                siftUp(heap, size, logits);
                size++;
            } else if (ranksAbove(t, heap[0], logits)) {
                heap[0] = t;
                siftDown(heap, n, logits);
            }
        }
        TokenLogprob[] sorted = new TokenLogprob[n];
        for (int i = n - 1; i >= 0; i--) {
            int t = heap[0];
            sorted[i] = new TokenLogprob(t, (float) (logits[t] - logZ));
            heap[0] = heap[i];
            siftDown(heap, i, logits);
        }
        return new TokenLogprobs(chosenLogprob, List.of(sorted));
    }

    /**
     * {@code logZ = log(sum exp(l))}, stably: {@code m + log(sum exp(l - m))} with {@code m = max l},
     * summed in double.
     */
    public static double logNormalizer(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalArgumentException("logits row is empty");
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < logits.length; t++) {
            float v = logits[t];
            if (v > max) {
                max = v;
            } else if (v != v) {
                throw new IllegalArgumentException("logit of token " + t + " is NaN");
            }
        }
        if (max == Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("logits contain +Infinity");
        }
        if (max == Float.NEGATIVE_INFINITY) {
            throw new IllegalStateException("every token is masked (all logits are -Infinity)");
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp((double) v - max);
        }
        return max + Math.log(sum);
    }

    private static boolean ranksAbove(int a, int b, float[] logits) {
        return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
    }

    private static void siftUp(int[] heap, int i, float[] logits) {
        int t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!ranksAbove(heap[parent], t, logits)) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = t;
    }

    private static void siftDown(int[] heap, int size, float[] logits) {
        if (size == 0) {
            return;
        }
        int i = 0;
        int t = heap[0];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && ranksAbove(heap[child], heap[child + 1], logits)) {
                child++;
            }
            if (!ranksAbove(t, heap[child], logits)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = t;
    }
}
