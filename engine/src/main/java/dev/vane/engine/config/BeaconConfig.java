package dev.vane.engine.config;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Activation Beacon settings of a checkpoint that carries beacon parameters (Zhang et al.,
 * arXiv 2401.03462; the {@code beacon_*} fields of its {@code config.json}): the context is read in
 * windows of {@link #window} raw tokens; within a window a beacon follows every r-th raw token
 * (the interleaved layout), and when the window is full its raw keys and values are dropped and
 * only its beacons' are kept, after the first {@link #sinkSize} entries of the sequence, which are
 * always kept. Beacon rows run through their own projections ({@link #projections}), everything
 * else is the base model's. Only the layout the released checkpoints use is supported:
 * interleaved beacons, full-coverage (causal) attention, a stride equal to the window.
 *
 * @param window      raw tokens per window ({@code beacon_window})
 * @param ratios      the ratios the beacons were trained with ({@code beacon_ratio}); a request may use any
 *                    power of two dividing the window
 * @param sinkSize    leading entries always kept ({@code beacon_sink_size})
 * @param projections which attention projections beacon rows have their own copy of ({@code beacon_param})
 */
public record BeaconConfig(int window, List<Integer> ratios, int sinkSize, Set<Projection> projections) {

    /** An attention projection a beacon row may have its own copy of. */
    public enum Projection {
        Q, K, V, O;

        /** The name in {@code beacon_param} and in tensor names ({@code beacon_q_proj}). */
        public String id() { return name().toLowerCase(Locale.ROOT); }
    }

    public BeaconConfig {
        if (window <= 0) throw new IllegalArgumentException("beacon_window must be > 0, got " + window);
        if (sinkSize < 0 || sinkSize >= window)
            throw new IllegalArgumentException("beacon_sink_size must be in [0, beacon_window), got " + sinkSize);
        ratios = List.copyOf(ratios);
        if (ratios.isEmpty()) throw new IllegalArgumentException("beacon_ratio must list at least one ratio");
        for (int r : ratios) checkRatio(r, window, "beacon_ratio");
        projections = Set.copyOf(projections.isEmpty() ? EnumSet.noneOf(Projection.class) : EnumSet.copyOf(projections));
    }

    /** Whether this layout can run {@code ratio} on windows of {@code window}: a power of two ≥ 2 that divides it. */
    public static boolean runs(int ratio, int window) {
        return ratio >= 2 && Integer.bitCount(ratio) == 1 && window % ratio == 0;
    }

    /** Rejects a ratio this layout cannot run ({@link #runs}). */
    public static void checkRatio(int ratio, int window, String field) {
        if (!runs(ratio, window))
            throw new IllegalArgumentException(field + " must be a power of two ≥ 2 dividing the beacon window " + window
                    + ", got " + ratio);
    }

    /**
     * The ratio {@code adapt} picks for a sequence of {@code tokens} tokens (the prompt and what it
     * may generate) in a KV slot of {@code entries}: the smallest of {@link #ratios} whose layout
     * fits ({@link #extent}), else the largest.
     */
    public int adaptiveRatio(long tokens, int entries) {
        List<Integer> sorted = ratios.stream().sorted().toList();
        for (int r : sorted)
            if (extent(tokens, r) <= entries) return r;
        return sorted.getLast();
    }

    /**
     * The most KV entries a sequence of {@code tokens} raw tokens holds at ratio {@code r}, at any
     * step: the sink and the beacons of every window that may close, plus a full open window with
     * its beacons ({@code sink + ⌊N/W⌋·W/r + W + W/r}).
     */
    public long extent(long tokens, int r) {
        return sinkSize + tokens / window * (window / r) + window + window / r;
    }

    /**
     * Where a sequence's entries lie after {@code tokens} raw tokens at ratio {@code r}: the sink
     * (once the first window closed), the beacons of the closed windows, and the open window's raw
     * tokens and beacons.
     */
    public Segments segments(long tokens, int r) {
        long closed = tokens / window, m = tokens % window;
        return new Segments(closed == 0 ? 0 : sinkSize, closed * (window / r), m, m / r);
    }

    /** KV entries after {@code tokens} raw tokens at ratio {@code r}: {@code sink + ⌊N/W⌋·W/r + m + ⌊m/r⌋}, {@code m = N mod W}. */
    public long entriesAfter(long tokens, int r) {
        return segments(tokens, r).entries();
    }

    /** A sequence's KV entries by segment ({@link #segments}). */
    public record Segments(long sink, long beacons, long raw, long windowBeacons) {
        public long entries() { return sink + beacons + raw + windowBeacons; }
    }
}
