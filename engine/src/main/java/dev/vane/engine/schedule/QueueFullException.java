package dev.vane.engine.schedule;

/** The waiting queue is at its limit; retry after {@link #retryAfterSeconds()}. */
public final class QueueFullException extends RuntimeException {

    private final int retryAfterSeconds;

    public QueueFullException(int limit, int retryAfterSeconds) {
        super("the request queue is full (" + limit + " waiting)");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() { return retryAfterSeconds; }
}
