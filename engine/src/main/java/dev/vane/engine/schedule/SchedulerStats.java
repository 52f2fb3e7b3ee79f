package dev.vane.engine.schedule;

/**
 * A snapshot of the scheduler for metrics and the admin status.
 *
 * @param running   sequences in the running batch
 * @param waiting   sequences queued for a slot
 * @param kvCacheBytes the KV cache's capacity in bytes (every slot full)
 * @param kvCacheUsedBytes bytes of the KV cache held for the running sequences
 */
public record SchedulerStats(int running, int waiting, long kvCacheBytes, long kvCacheUsedBytes) {}
