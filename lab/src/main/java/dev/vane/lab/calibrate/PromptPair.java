package dev.vane.lab.calibrate;

/**
 * One contrastive example: two prompts that differ in the behaviour to steer (the positive shows
 * it, the negative does not), ideally otherwise alike.
 *
 * @param line the 1-based line of the JSONL file it came from (for messages)
 */
public record PromptPair(String positive, String negative, Split split, int line) {}
