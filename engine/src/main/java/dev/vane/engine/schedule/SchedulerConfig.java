package dev.vane.engine.schedule;

/**
 * @param slots        sequences running at once (KV cache slots)
 * @param contextLength maximum prompt + generated tokens per sequence
 * @param queueLimit   sequences waiting for a slot before submissions are refused
 * @param prefillChunk prompt tokens processed per step for one sequence, so that long prompts
 *                     do not stall running decodes
 */
public record SchedulerConfig(int slots, int contextLength, int queueLimit, int prefillChunk) {

    public SchedulerConfig {
        if (slots < 1) throw new IllegalArgumentException("slots must be >= 1");
        if (contextLength < 2) throw new IllegalArgumentException("context length must be >= 2");
        if (queueLimit < 0) throw new IllegalArgumentException("queue limit must be >= 0");
        if (prefillChunk < 1) throw new IllegalArgumentException("prefill chunk must be >= 1");
    }
}
