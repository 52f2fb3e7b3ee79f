package dev.vane.lab.tokenizer;

/**
 * What a training run saw and did.
 *
 * @param texts the number of texts read
 * @param bytes their total size in UTF-8 bytes
 * @param words the number of pre-tokenised words (special tokens excluded)
 * @param distinctWords the number of distinct words, which the merges run over
 * @param merges the number of merge rules learnt
 * @param seconds the wall-clock training time
 */
public record TrainingStats(long texts, long bytes, long words, int distinctWords, int merges, double seconds) {}
