package dev.vane.server.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The bytes Helidon's HTTP/1 parser reads from one connection: the socket's input through
 * {@link RequestFraming}, with timeouts. A reader thread moves socket reads into a small inbox so
 * that every wait here is bounded: between requests by the idle timeout, inside a header section
 * by what is left of the header timeout, inside a body by the body timeout. The end of the
 * returned stream ({@code null}) makes Helidon close the connection.
 */
final class GuardedInput implements Supplier<byte[]> {

    private static final Object END = new Object();
    private static final Object WAKE = new Object();
    private static final System.Logger LOG = System.getLogger(GuardedInput.class.getName());

    private final DataReader socket;
    private final DataWriter writer;
    private final RequestFraming framing;
    private final ConnectionLimits limits;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    /** socket reads the inbox may hold ahead of the parser */
    private final Semaphore credits = new Semaphore(2);
    private volatile long idleSince = -1;
    private volatile boolean evicted;
    private volatile boolean refused;
    private volatile boolean http10;
    private long headStarted = -1;
    private boolean ended;
    private Thread reader;

    GuardedInput(DataReader socket, DataWriter writer, String host, ConnectionLimits limits) {
        this.socket = socket;
        this.writer = writer;
        this.framing = new RequestFraming(host);
        this.limits = limits;
    }

    /** Starts reading the socket. */
    void start() {
        reader = Thread.ofVirtual().name("vane-http-read").start(this::pump);
    }

    /** Stops reading the socket: the connection has ended (the reader may wait for a credit, not on the socket). */
    void close() {
        reader.interrupt();
    }

    private void pump() {
        try {
            while (true) {
                credits.acquire();
                socket.ensureAvailable();
                inbox.add(socket.readBytes(socket.available()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the client closed, or the socket was closed under us: the input ends
        } finally {
            inbox.add(END);
        }
    }

    /** Whether the request being handled came as HTTP/1.0. */
    boolean http10() {
        return http10;
    }

    /** Since when (nanoTime) the connection waits for a request with nothing of it received; -1 when busy. */
    long idleSince() {
        return idleSince;
    }

    /** Whether an eviction is on its way. */
    boolean evicted() {
        return evicted;
    }

    /** Closes the connection if it is still waiting for a request. */
    void evict() {
        evicted = true;
        inbox.add(WAKE);
    }

    /** Answers 503 and closes instead of reading a request: the listener is full. */
    void refuse() {
        refused = true;
    }

    @Override
    public byte[] get() {
        while (true) {
            RequestFraming.Output o = framing.poll();
            if (o instanceof RequestFraming.Bytes b) {
                if (b.first()) http10 = b.http10();
                return b.data();
            }
            if (o instanceof RequestFraming.Stop s) {
                ended = true;
                return stop(s);
            }
            if (ended) return null;
            if (refused) framing.abandon(503, "the server has too many open connections; retry later");
            else receive();
        }
    }

    /** Waits for the next socket read, within the timeout of the phase the input is in. */
    private void receive() {
        RequestFraming.Phase phase = framing.phase();
        long now = System.nanoTime();
        // if-chains, not switches over the enum: a switch compiles to a class of its own, loaded on
        // first use, which fails for good if that first use falls in a file-descriptor exhaustion
        long wait = phase == RequestFraming.Phase.IDLE ? limits.idleTimeout().toNanos()
                : phase == RequestFraming.Phase.HEAD ? headStarted + limits.headerTimeout().toNanos() - now
                : phase == RequestFraming.Phase.BODY ? limits.bodyTimeout().toNanos() : 0;
        Object next;
        if (phase == RequestFraming.Phase.IDLE) idleSince = now;
        try {
            next = inbox.poll(Math.max(0, wait), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            next = END;
        } finally {
            idleSince = -1;
        }
        if (next == WAKE) {
            if (evicted && framing.phase() == RequestFraming.Phase.IDLE) framing.endOfInput();
            evicted = false; // a connection that got busy meanwhile stays
        } else if (next == END) {
            framing.endOfInput();
        } else if (next == null) {
            timeout(phase);
        } else {
            credits.release();
            byte[] bytes = (byte[]) next;
            framing.feed(bytes, 0, bytes.length);
            RequestFraming.Phase after = framing.phase();
            if (after != RequestFraming.Phase.HEAD) headStarted = -1;
            else if (headStarted == -1) headStarted = System.nanoTime(); // the head's first bytes arrived now, not when the wait began
        }
    }

    private void timeout(RequestFraming.Phase phase) {
        if (phase == RequestFraming.Phase.IDLE) framing.endOfInput();
        else if (phase == RequestFraming.Phase.HEAD)
            framing.abandon(408, "the request headers did not arrive within " + seconds(limits.headerTimeout()) + " s");
        else if (phase == RequestFraming.Phase.BODY)
            framing.abandon(408, "the request body paused for more than " + seconds(limits.bodyTimeout()) + " s");
    }

    /** The end of the input: a clean end, an error for the handler reading the body, or an answer sent here. */
    private byte[] stop(RequestFraming.Stop s) {
        if (s.clean()) return null;
        if (s.inBody()) throw new RequestFramingException(s.status(), s.message(), s.clientClosed());
        answer(s.status(), s.message());
        return null;
    }

    private void answer(int status, String message) {
        try {
            writer.writeNow(BufferData.create(errorResponse(status, message)));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not answer " + status + ": " + e);
        }
    }

    /** An error response between requests, where no handler runs: OpenAI's error body, then the connection closes. */
    static byte[] errorResponse(int status, String message) {
        String body = "{\"error\": {\"message\": \"" + message.replace("\\", "\\\\").replace("\"", "\\\"")
                + "\", \"type\": \"invalid_request_error\", \"param\": null, \"code\": null}}";
        byte[] entity = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + (status == 503 ? "Retry-After: 1\r\n" : "") + "Content-Length: " + entity.length + "\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = java.util.Arrays.copyOf(headBytes, headBytes.length + entity.length);
        System.arraycopy(entity, 0, all, headBytes.length, entity.length);
        return all;
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Error";
        };
    }

    private static long seconds(Duration d) {
        return d.toSeconds();
    }
}
