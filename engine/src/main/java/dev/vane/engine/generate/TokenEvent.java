package dev.vane.engine.generate;

import java.util.Optional;

/**
 * One generated token as streamed to a client.
 *
 * @param token    the sampled id
 * @param text     text that became final with this token: complete UTF-8 characters only,
 *                 stop strings held back or cut; may be empty
 * @param logprobs chosen-token and top-n log-probabilities, when requested
 */
public record TokenEvent(int token, String text, Optional<TokenLogprobs> logprobs) {}
