package dev.vane.engine.schedule;

/**
 * A snapshot of the scheduler for metrics and the admin status.
 *
 * @param running   sequences in the running batch
 * @param waiting   sequences queued for a slot
 * @param kvCacheBytes bytes allocated to the KV cache
 * @param kvCacheUsedBytes bytes of the KV cache holding live sequences' entries
 */
public record SchedulerStats(int running, int waiting, long kvCacheBytes, long kvCacheUsedBytes) {}
