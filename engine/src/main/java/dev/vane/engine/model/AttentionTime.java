package dev.vane.engine.model;

import java.util.concurrent.atomic.LongAdder;

/**
 * Time a decoder spends in its attention kernel: the steps it ran and the nanoseconds of their
 * attention (every layer's), for the metric {@code vane_attention_step_seconds{kernel}}.
 * Safe to add to from concurrent steps.
 */
public final class AttentionTime {

    private final String kernel;
    private final LongAdder steps = new LongAdder();
    private final LongAdder nanos = new LongAdder();

    AttentionTime(String kernel) {
        this.kernel = kernel;
    }

    /** The kernel's label ({@link dev.vane.attention.Attention#label}). */
    public String kernel() { return kernel; }

    /** Steps run. */
    public long steps() { return steps.sum(); }

    /** Seconds of attention over all steps. */
    public double seconds() { return nanos.sum() / 1e9; }

    /** One step whose attention took {@code stepNanos}. */
    void add(long stepNanos) {
        steps.increment();
        nanos.add(stepNanos);
    }
}
