package dev.vane.engine.generate;

/**
 * One token and its log-probability (natural log) under the model's raw distribution.
 *
 * @param token token id, {@code >= 0}
 * @param logprob {@code log_softmax(logits)[token]}, {@code <= 0}; {@code -Infinity} for a masked token
 */
public record TokenLogprob(int token, float logprob) {
    public TokenLogprob {
        if (token < 0) {
            throw new IllegalArgumentException("token id must be >= 0, got " + token);
        }
        if (Float.isNaN(logprob) || logprob > 0) {
            throw new IllegalArgumentException("logprob must be <= 0, got " + logprob);
        }
    }
}
