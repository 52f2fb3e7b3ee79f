package dev.vane.server.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;

/**
 * The HTTP/1.x request framing of one connection (RFC 9112), checked and rewritten to the one
 * form Helidon's parser reads correctly, before Helidon sees a byte: chunk extensions are dropped
 * (Helidon rejects them), the CRLF after chunk data is checked (Helidon skips two bytes whatever
 * they are), trailer fields are dropped, repeated equal {@code Content-Length} values become one,
 * and an HTTP/1.0 request becomes an HTTP/1.1 one that closes the connection (Helidon answers 505
 * to 1.0). Framing this class cannot read unambiguously ends the connection with an error, so
 * that no byte of a broken message is ever parsed as the next request.
 *
 * <p>Bytes go in with {@link #feed}; what comes out, in order, are {@link Output}s: bytes of
 * messages, then at most one {@link Stop}.
 */
final class RequestFraming {

    static final int MAX_REQUEST_LINE = 8192;
    static final int MAX_HEADER_SECTION = 65536;
    static final int MAX_CHUNK_LINE = 4096;
    static final int MAX_TRAILER_SECTION = 16384;

    /** What the connection gives Helidon next. */
    sealed interface Output permits Bytes, Stop {}

    /**
     * Bytes of one message.
     *
     * @param first  whether they start the message (its request line)
     * @param http10 whether the message came as HTTP/1.0 (its response must not be chunked)
     */
    record Bytes(byte[] data, boolean first, boolean http10) implements Output {}

    /**
     * The end of the connection's input, after the messages before it.
     *
     * @param status   0: a clean end (the client asked to close, or closed); else the status to answer
     * @param inBody   whether the problem is inside a message body (the request is already being
     *                 handled and its handler answers); else it is at a message boundary and the
     *                 connection answers itself
     * @param message  what is wrong, for the client
     * @param clientClosed whether the body ended because the client closed its side (nobody reads the answer)
     */
    record Stop(int status, boolean inBody, String message, boolean clientClosed) implements Output {
        static final Stop CLEAN = new Stop(0, false, "", false);

        boolean clean() {
            return status == 0;
        }
    }

    /** Where the input stands, for timeouts. */
    enum Phase {
        /** between messages, nothing of the next one received */
        IDLE,
        /** inside a request line or header section */
        HEAD,
        /** inside a body */
        BODY,
        /** stopped: nothing more is read */
        STOPPED
    }

    private enum State { LINE, HEADERS, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_CR, CHUNK_LF, TRAILERS, STOPPED }

    private final String defaultHost;
    private final Queue<Output> out = new ArrayDeque<>();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private State state = State.LINE;
    private boolean pendingFirst;
    private boolean http10;
    private boolean closeAfter;
    private String requestLine;
    private final List<String> fields = new ArrayList<>();
    private int sectionBytes;
    private long remaining;

    /** @param defaultHost the {@code Host} an HTTP/1.0 request without one is given ({@code host:port} of the listener) */
    RequestFraming(String defaultHost) {
        this.defaultHost = defaultHost;
    }

    Phase phase() {
        return switch (state) {
            case LINE -> line.size() == 0 ? Phase.IDLE : Phase.HEAD;
            case HEADERS -> Phase.HEAD;
            case STOPPED -> Phase.STOPPED;
            default -> Phase.BODY;
        };
    }

    /** The next output, or null when more input is needed. */
    Output poll() {
        return out.poll();
    }

    /** Reads {@code n} bytes of input; what they complete is queued for {@link #poll}. */
    void feed(byte[] b, int off, int n) {
        int i = off, end = off + n;
        while (i < end && state != State.STOPPED) {
            switch (state) {
                case LINE, HEADERS, CHUNK_SIZE, TRAILERS -> {
                    byte c = b[i++];
                    if (c == '\n') {
                        endOfLine();
                    } else {
                        line.write(c);
                        checkLineLength();
                    }
                }
                case FIXED, CHUNK_DATA -> {
                    int take = (int) Math.min(remaining, end - i);
                    pending.write(b, i, take);
                    i += take;
                    remaining -= take;
                    if (remaining == 0) {
                        if (state == State.FIXED) endMessage();
                        else state = State.CHUNK_CR;
                    }
                }
                case CHUNK_CR -> {
                    if (b[i++] != '\r') fail(400, true, "chunk data is not followed by CRLF");
                    else state = State.CHUNK_LF;
                }
                case CHUNK_LF -> {
                    if (b[i++] != '\n') fail(400, true, "chunk data is not followed by CRLF");
                    else {
                        pending.write('\r');
                        pending.write('\n');
                        state = State.CHUNK_SIZE;
                    }
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
        flush();
    }

    /** The client closed its side: a message cut short is an error inside its body, else a clean end. */
    void endOfInput() {
        if (state == State.STOPPED) return;
        if (phase() == Phase.BODY) stop(new Stop(400, true, "the request body ended before its declared end", true));
        else stop(Stop.CLEAN);
        flush();
    }

    /** The connection gives up on the input (a timeout, a full listener): stops with this answer. */
    void abandon(int status, String message) {
        if (state == State.STOPPED) return;
        fail(status, phase() == Phase.BODY, message);
        flush();
    }

    private void checkLineLength() {
        switch (state) {
            case LINE -> {
                if (line.size() > MAX_REQUEST_LINE) fail(414, false, "the request line is longer than " + MAX_REQUEST_LINE + " bytes");
            }
            case HEADERS -> {
                if (sectionBytes + line.size() > MAX_HEADER_SECTION)
                    fail(431, false, "the header section is larger than " + MAX_HEADER_SECTION + " bytes");
            }
            case CHUNK_SIZE -> {
                if (line.size() > MAX_CHUNK_LINE) fail(400, true, "a chunk size line is longer than " + MAX_CHUNK_LINE + " bytes");
            }
            case TRAILERS -> {
                if (sectionBytes + line.size() > MAX_TRAILER_SECTION)
                    fail(431, true, "the trailer section is larger than " + MAX_TRAILER_SECTION + " bytes");
            }
            default -> { }
        }
    }

    /** A line ended with LF: it must have ended with CRLF. */
    private void endOfLine() {
        byte[] raw = line.toByteArray();
        line.reset();
        boolean inBody = state == State.CHUNK_SIZE || state == State.TRAILERS;
        if (raw.length == 0 || raw[raw.length - 1] != '\r') {
            fail(400, inBody, "a line ends with a bare LF; HTTP/1.1 lines end with CRLF");
            return;
        }
        String text = new String(raw, 0, raw.length - 1, StandardCharsets.ISO_8859_1);
        switch (state) {
            case LINE -> requestLine(text);
            case HEADERS -> {
                sectionBytes += raw.length + 1;
                if (text.isEmpty()) endOfHead();
                else fields.add(text);
            }
            case CHUNK_SIZE -> chunkSize(text);
            case TRAILERS -> {
                sectionBytes += raw.length + 1;
                if (text.isEmpty()) {
                    pending.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                    endMessage();
                } else if (!Http1Syntax.isFieldLine(text)) {
                    fail(400, true, "a malformed trailer field");
                }
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private void requestLine(String text) {
        if (text.isEmpty()) return; // RFC 9112 §2.2: empty lines before a request line are ignored
        int last = text.lastIndexOf(' ');
        String version = last < 0 ? "" : text.substring(last + 1);
        if (last <= 0 || text.indexOf(' ') == last) {
            fail(400, false, "malformed request line");
            return;
        }
        switch (version) {
            case "HTTP/1.1" -> http10 = false;
            case "HTTP/1.0" -> http10 = true;
            default -> {
                fail(version.startsWith("HTTP/") ? 505 : 400, false,
                        version.startsWith("HTTP/") ? "HTTP version " + version.substring(5) + " is not supported; use 1.1 or 1.0"
                                : "malformed request line");
                return;
            }
        }
        requestLine = text.substring(0, last) + " HTTP/1.1";
        fields.clear();
        sectionBytes = 0;
        state = State.HEADERS;
    }

    /** The header section is complete: decide the body's framing and write the head as Helidon reads it. */
    private void endOfHead() {
        Long length = null;
        boolean chunked = false, hasHost = false;
        List<String> kept = new ArrayList<>();
        closeAfter = http10;
        for (String f : fields) {
            if (!Http1Syntax.isFieldLine(f)) {
                fail(400, false, f.isEmpty() || f.charAt(0) == ' ' || f.charAt(0) == '\t'
                        ? "obsolete line folding in the header section" : "a malformed header field");
                return;
            }
            int colon = f.indexOf(':');
            String name = f.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = f.substring(colon + 1).strip();
            switch (name) {
                case "content-length" -> {
                    for (String v : value.split(",", -1)) {
                        Long l = Http1Syntax.digits(v.strip());
                        if (l == null || (length != null && !length.equals(l))) {
                            fail(400, false, "invalid Content-Length");
                            return;
                        }
                        length = l;
                    }
                }
                case "transfer-encoding" -> {
                    for (String coding : value.split(",", -1)) {
                        String c = coding.strip().toLowerCase(Locale.ROOT);
                        if (c.isEmpty()) continue;
                        if (chunked) {
                            fail(400, false, "chunked must be the last transfer coding, and only once");
                            return;
                        }
                        if (!c.equals("chunked")) {
                            fail(501, false, "transfer coding '" + c + "' is not supported; only chunked is");
                            return;
                        }
                        chunked = true;
                    }
                    if (!chunked) {
                        fail(400, false, "chunked must be the last transfer coding");
                        return;
                    }
                }
                case "connection" -> {
                    for (String token : value.split(","))
                        if (token.strip().equalsIgnoreCase("close")) closeAfter = true;
                    if (!http10) kept.add(f);
                }
                case "expect" -> {
                    if (!http10) kept.add(f);
                }
                case "host" -> {
                    hasHost = true;
                    kept.add(f);
                }
                default -> kept.add(f);
            }
        }
        if (chunked && length != null) {
            fail(400, false, "Transfer-Encoding and Content-Length must not be combined");
            return;
        }
        if (chunked && http10) {
            fail(400, false, "Transfer-Encoding is not defined for HTTP/1.0");
            return;
        }
        if (http10) {
            if (!hasHost) kept.add("Host: " + defaultHost);
            kept.add("Connection: close");
        }
        if (chunked) kept.add("Transfer-Encoding: chunked");
        else if (length != null) kept.add("Content-Length: " + length);

        StringBuilder head = new StringBuilder(requestLine).append("\r\n");
        for (String f : kept) head.append(f).append("\r\n");
        head.append("\r\n");
        flush();
        pendingFirst = true;
        pending.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (chunked) {
            state = State.CHUNK_SIZE;
        } else if (length != null && length > 0) {
            remaining = length;
            state = State.FIXED;
        } else {
            endMessage();
        }
    }

    private void chunkSize(String text) {
        long size = Http1Syntax.chunkSize(text);
        if (size == -1) {
            fail(400, true, "malformed chunk size line");
            return;
        }
        if (size > Integer.MAX_VALUE) {
            fail(413, true, "a chunk is larger than " + Integer.MAX_VALUE + " bytes");
            return;
        }
        pending.writeBytes((Long.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        if (size == 0) {
            sectionBytes = 0;
            state = State.TRAILERS;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
    }

    private void endMessage() {
        flush();
        if (closeAfter) stop(Stop.CLEAN);
        else state = State.LINE;
    }

    private void fail(int status, boolean inBody, String message) {
        stop(new Stop(status, inBody, message, false));
    }

    private void stop(Stop s) {
        flush();
        out.add(s);
        state = State.STOPPED;
    }

    /** Moves the bytes of the current message gathered so far to the output. */
    private void flush() {
        if (pending.size() == 0) return;
        out.add(new Bytes(pending.toByteArray(), pendingFirst, http10));
        pending.reset();
        pendingFirst = false;
    }
}
