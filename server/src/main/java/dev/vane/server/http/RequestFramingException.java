package dev.vane.server.http;

/**
 * A request body that cannot be read: malformed chunked framing, a body cut short, or one that
 * stalled past the body timeout. Thrown to whoever reads the body; the connection closes after
 * the response, as nothing after the broken part can be trusted to start a request.
 */
public final class RequestFramingException extends RuntimeException {

    private final int status;
    private final boolean clientClosed;

    RequestFramingException(int status, String message, boolean clientClosed) {
        super(message, null, false, false);
        this.status = status;
        this.clientClosed = clientClosed;
    }

    RequestFramingException(int status, String message) {
        this(status, message, false);
    }

    /** Whether the body ended because the client closed its side of the connection (nobody reads an answer). */
    public boolean clientClosed() {
        return clientClosed;
    }

    /** The HTTP status to answer: 400, 408 or 413. */
    public int status() {
        return status;
    }
}
