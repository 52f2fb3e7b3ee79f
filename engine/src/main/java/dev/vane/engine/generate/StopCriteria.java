package dev.vane.engine.generate;

import java.util.Arrays;
import java.util.Collection;
import java.util.Optional;

/**
 * Token-level stop conditions of one request: stop token ids, EOS token ids (unless
 * {@code ignore_eos}) and {@code max_tokens}. Stop <em>strings</em> are handled on the text side by
 * {@link StopStringMatcher}. Immutable and thread-safe.
 *
 * <p>After each generated token, {@link #check} reports:
 * <ol>
 *   <li>{@link FinishReason#STOP} if the token is a stop token id, or an EOS id and {@code ignore_eos}
 *       is off (this wins even on the last allowed token);</li>
 *   <li>else {@link FinishReason#LENGTH} if {@code generatedTokens >= max_tokens};</li>
 *   <li>else nothing: keep going.</li>
 * </ol>
 * Whether the stop token's text is shown is up to the caller; EOS tokens are usually special tokens
 * that detokenise to nothing.
 */
public final class StopCriteria {
    /** Sorted, distinct token ids that end generation with {@link FinishReason#STOP}. */
    private final int[] stopTokens;
    private final int maxTokens;

    /**
     * @param stopTokenIds request's stop token ids (always honoured)
     * @param eosTokenIds the model's EOS token ids (honoured unless {@code ignoreEos})
     * @param ignoreEos whether to keep generating past EOS
     * @param maxTokens {@code >= 1}
     */
    public StopCriteria(Collection<Integer> stopTokenIds, Collection<Integer> eosTokenIds, boolean ignoreEos,
                        int maxTokens) {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        }
        int[] ids = ignoreEos
                ? toArray(stopTokenIds, null)
                : toArray(stopTokenIds, eosTokenIds);
        Arrays.sort(ids);
        this.stopTokens = Arrays.stream(ids).distinct().toArray();
        this.maxTokens = maxTokens;
    }

    /** Criteria for a request with {@code params}, on a model whose EOS token ids are {@code eosTokenIds}. */
    public static StopCriteria of(SamplingParams params, Collection<Integer> eosTokenIds) {
        return new StopCriteria(params.stopTokenIds(), eosTokenIds, params.ignoreEos(), params.maxTokens());
    }

    /**
     * @param token the token just generated
     * @param generatedTokens how many tokens have been generated, including {@code token}
     * @return why generation ends after {@code token}, or empty to continue
     */
    public Optional<FinishReason> check(int token, int generatedTokens) {
        if (isStopToken(token)) {
            return Optional.of(FinishReason.STOP);
        }
        if (generatedTokens >= maxTokens) {
            return Optional.of(FinishReason.LENGTH);
        }
        return Optional.empty();
    }

    /** Whether {@code token} ends generation with {@link FinishReason#STOP}. */
    public boolean isStopToken(int token) {
        return Arrays.binarySearch(stopTokens, token) >= 0;
    }

    /** The token ids that end a sequence (sorted, distinct; EOS only when not ignored). */
    public int[] stopTokens() {
        return stopTokens.clone();
    }

    public int maxTokens() {
        return maxTokens;
    }

    private static int[] toArray(Collection<Integer> a, Collection<Integer> b) {
        int size = a.size() + (b == null ? 0 : b.size());
        int[] out = new int[size];
        int i = 0;
        for (Integer id : a) {
            out[i++] = checkId(id);
        }
        if (b != null) {
            for (Integer id : b) {
                out[i++] = checkId(id);
            }
        }
        return out;
    }

    private static int checkId(Integer id) {
        if (id == null || id < 0) {
            throw new IllegalArgumentException("token ids must be non-negative, got " + id);
        }
        return id;
    }
}
