package dev.vane.server;

/**
 * The client closed its connection while the server read the request or wrote the answer. Not a
 * failure of the server: it is logged as one line, counted under status 499 (the convention for
 * "client closed request") and never answered with a 500.
 */
final class ClientGone extends RuntimeException {

    /** @param doing what the server was doing, e.g. {@code "reading the request body"} */
    ClientGone(String doing, Throwable cause) {
        super("the client closed the connection while " + doing, cause);
    }

    /** HTTP status under which metrics count a request whose client went away. */
    static final int STATUS = 499;

    /** One log line: what happened and the socket's reason, without a stack trace. */
    String logLine(String route) {
        Throwable root = getCause();
        while (root != null && root.getCause() != null) root = root.getCause();
        return route + ": " + getMessage() + (root == null ? "" : " (" + root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")");
    }
}
