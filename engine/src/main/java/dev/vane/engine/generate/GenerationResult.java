package dev.vane.engine.generate;

import java.util.List;
import java.util.Optional;

/**
 * A finished sequence.
 *
 * @param tokens       generated ids (a stop token is included, its text is not)
 * @param text         the generated text, stop strings removed
 * @param finishReason why it ended
 * @param logprobs     per generated token, empty unless requested
 * @param promptTokens prompt length
 * @param timings      where the time went
 * @param error        with {@link FinishReason#ERROR}: what failed, in words fit for the client
 *                     (no internals; the log holds the cause); empty otherwise
 * @param promptLogprobs with {@code prompt_logprobs}: per prompt token after the first, its
 *                     log-probability given the tokens before it; empty otherwise
 */
public record GenerationResult(int[] tokens, String text, FinishReason finishReason, List<TokenLogprobs> logprobs,
                               int promptTokens, Timings timings, Optional<String> error, List<TokenLogprobs> promptLogprobs) {

    /** Nanosecond timestamps relative to admission. */
    public record Timings(long queueNanos, long firstTokenNanos, long totalNanos) {}

    /** Tokens the sequence fed to the model: the prompt and every generated token but the last, which is never fed back. */
    public long tokensFed() {
        return promptTokens + Math.max(0, tokens.length - 1);
    }
}
