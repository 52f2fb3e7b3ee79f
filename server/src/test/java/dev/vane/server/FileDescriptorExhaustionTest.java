package dev.vane.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A flood of idle connections against a server whose process may open 300 files (about 110 go to
 * the JVM and its class path): with {@code max-connections} under that, the flood never reaches
 * the limit and a real request still gets through; with it above, accepting fails with "Too many
 * open files" (which ends a Helidon listener for good), and the listener comes back once
 * descriptors are free again.
 */
class FileDescriptorExhaustionTest {

    private static final int OPEN_FILES = 300;
    private static final int IDLE_SOCKETS = 400;
    private static final String BODY = "{\"prompt\": \"Hello\", \"max_tokens\": 2}";
    private static final String REQUEST = "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + BODY.length() + "\r\n\r\n" + BODY;

    @Test
    void idleConnectionsPastTheLimitDoNotLockARequestOut() throws Exception {
        try (ServerProcess server = ServerProcess.start(OPEN_FILES, Map.of("VANE_MAX_CONNECTIONS", "32"))) {
            List<Socket> idle = openIdle(server.port);
            try (RawHttp c = new RawHttp("127.0.0.1", server.port, 20_000)) {
                RawHttp.Response r = c.send(REQUEST).read();
                assertEquals(200, r.status(), r.body());
            } finally {
                closeAll(idle);
            }
            assertThat(server.log()).doesNotContain("Too many open files");
        }
    }

    @Test
    void theListenerComesBackAfterAcceptRunsOutOfFileDescriptors() throws Exception {
        try (ServerProcess server = ServerProcess.start(OPEN_FILES, Map.of("VANE_MAX_CONNECTIONS", "1000"))) {
            // a server that has served: the request path's classes are loaded (a class first needed
            // while the process has no descriptor left cannot be loaded, and the JVM keeps that failure)
            try (RawHttp c = new RawHttp("127.0.0.1", server.port, 20_000)) {
                assertEquals(200, c.send(REQUEST).read().status());
            }
            List<Socket> idle = openIdle(server.port);
            closeAll(idle);
            long deadline = System.nanoTime() + 30_000_000_000L;
            RawHttp.Response last = null;
            IOException error = null;
            while (System.nanoTime() < deadline && (last == null || last.status() != 200)) {
                try (RawHttp c = new RawHttp("127.0.0.1", server.port, 5_000)) {
                    last = c.send(REQUEST).read();
                } catch (IOException e) {
                    error = e;
                    Thread.sleep(500);
                }
            }
            assertThat(last).as("a request got an answer within 30 s; last error %s; log:\n%s", error, server.log()).isNotNull();
            assertEquals(200, last.status(), last.body() + "\nlog:\n" + server.log());
        }
    }

    /** Opens up to {@link #IDLE_SOCKETS} connections that send nothing (connects past the backlog may fail; they are skipped). */
    private static List<Socket> openIdle(int port) {
        List<Socket> out = new ArrayList<>();
        for (int i = 0; i < IDLE_SOCKETS; i++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                out.add(s);
            } catch (IOException e) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // nothing to release
                }
            }
        }
        return out;
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket s : sockets) s.close();
    }
}
