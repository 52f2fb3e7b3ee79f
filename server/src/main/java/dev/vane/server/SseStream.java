package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A server-sent event stream of {@code data: <json>\n\n} events ending with {@code data: [DONE]}.
 * A failed write (the client went away) is remembered; every later write is skipped and
 * reported as failed, so the caller can cancel its sequences.
 */
final class SseStream implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SseStream.class.getName());

    private final OutputStream out;
    private boolean failed;

    SseStream(ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        this.out = res.outputStream();
    }

    /** Sends one event; false once the client is gone. */
    boolean send(JsonNode event) {
        return write("data: " + event + "\n\n");
    }

    /** A comment line, ignored by SSE clients: probes the connection while nothing else is sent. */
    boolean keepAlive() {
        return write(": keep-alive\n\n");
    }

    boolean done() {
        return write("data: [DONE]\n\n");
    }

    boolean failed() {
        return failed;
    }

    private boolean write(String s) {
        if (failed) return false;
        try {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        } catch (IOException | RuntimeException e) {
            failed = true;
            // the client went away: one line, not a stack trace (the caller cancels its sequences)
            LOG.log(System.Logger.Level.INFO, new ClientGone("streaming the answer", e).logLine("stream"));
            return false;
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException | RuntimeException e) {
            failed = true;
        }
    }
}
