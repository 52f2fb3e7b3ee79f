package dev.vane.engine.schedule;

/**
 * The {@code Retry-After} of a refusal with a full queue: how long the line ahead of a newcomer
 * takes to move, from how long recent sequences held their slot. A newcomer is at place
 * {@code waiting + 1}; slots free at about one per {@code residency / slots}, so the line moves
 * past it after {@code (waiting + 1) · residency / slots}. The residency is an exponential moving
 * average over finished sequences (their prefill and decode steps, so it follows the recent step
 * times and lengths); before any finishes the estimate is the minimum, one second.
 *
 * <p>Recorded on the engine thread, read by submitting threads.
 */
final class Backlog {

    /** Weight of the newest sequence in the average: about the last ten count. */
    static final double WEIGHT = 0.2;
    static final int MIN_SECONDS = 1;
    /** A cap, so that one pathological sequence cannot send clients away for hours. */
    static final int MAX_SECONDS = 600;

    private volatile double residencyNanos = Double.NaN;

    /** A sequence left its slot after holding it {@code nanos} (admission to finish). */
    void finished(long nanos) {
        double r = residencyNanos;
        residencyNanos = Double.isNaN(r) ? nanos : r + WEIGHT * (nanos - r);
    }

    /** Seconds to wait, in {@code [MIN_SECONDS, MAX_SECONDS]}. */
    int retryAfterSeconds(int waiting, int slots) {
        double r = residencyNanos;
        if (Double.isNaN(r)) return MIN_SECONDS;
        double seconds = (waiting + 1.0) * r / Math.max(1, slots) / 1e9;
        return (int) Math.max(MIN_SECONDS, Math.min(MAX_SECONDS, Math.ceil(seconds)));
    }
}
