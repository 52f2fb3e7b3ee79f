package dev.vane.engine.schedule;

import dev.vane.engine.generate.SamplingParams;

import java.time.Duration;
import java.util.Optional;

/**
 * One sequence to generate.
 *
 * @param prompt   prompt token ids
 * @param params   sampling parameters (validated)
 * @param deadline wall-clock budget from admission; the sequence ends with
 *                 {@link dev.vane.engine.generate.FinishReason#CANCELLED} when it runs out
 */
public record GenerationRequest(int[] prompt, SamplingParams params, Optional<Duration> deadline) {

    public GenerationRequest {
        prompt = prompt.clone();
        if (prompt.length == 0) throw new IllegalArgumentException("prompt must not be empty");
    }

    public static GenerationRequest of(int[] prompt, SamplingParams params) {
        return new GenerationRequest(prompt, params, Optional.empty());
    }
}
