package dev.vane.lab.calibrate;

/**
 * One prompt for the steering controller: a harmful request (the model should refuse) or a
 * benign one (it should comply).
 *
 * @param line the 1-based line of the JSONL file it came from (for messages)
 */
public record LabelledPrompt(String text, boolean harmful, Split split, int line) {}
