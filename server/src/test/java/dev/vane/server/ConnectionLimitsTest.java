package dev.vane.server;

import dev.vane.engine.model.ComputeDType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a listener allows a client: a request's headers within the header timeout, no pause inside
 * a body longer than the body timeout (408 and close, where Helidon alone holds such connections
 * for minutes), idle connections closed after the idle timeout, and no more open connections
 * than {@code max-connections}: the longest-idle ones make way for new ones.
 */
class ConnectionLimitsTest {

    private static final int MAX_CONNECTIONS = 8;
    private static VaneServer server;

    @BeforeAll
    static void start() {
        ServerSettings s = ServerSettings.defaults(TestServer.modelDir("vane-limits-model", true)).withPort(0)
                .withEngine(ComputeDType.F32, 1, 2, 256).withHttp(ServerSettings.Http.of(MAX_CONNECTIONS, 1, 1, 2, Optional.empty()));
        server = Main.start(s);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void headersThatDoNotArriveInTimeGet408AndTheConnectionCloses() throws Exception {
        try (RawHttp c = new RawHttp(server.port())) {
            long start = System.nanoTime();
            RawHttp.Response r = c.send("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: app").read();
            assertEquals(408, r.status(), r.body());
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(c.closedWithin(3000)).isTrue();
            assertThat((System.nanoTime() - start) / 1e9).as("seconds until the answer").isBetween(0.9, 5.0);
        }
    }

    @Test
    void theHeaderTimeoutCountsFromTheRequestsFirstByteNotFromTheIdleWait() throws Exception {
        try (RawHttp c = new RawHttp(server.port())) {
            Thread.sleep(1500); // idle, under the 2 s idle timeout but past the 1 s header timeout
            c.send("GET /health/live HTTP/1.1\r\n");
            Thread.sleep(300);
            RawHttp.Response r = c.send("Host: 127.0.0.1\r\n\r\n").read();
            assertEquals(200, r.status(), r.body());
        }
    }

    @Test
    void aBodyThatStallsGets408AndTheConnectionCloses() throws Exception {
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Response r = c.send("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"prompt\": ").read();
            assertEquals(408, r.status(), r.body());
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(TestServer.read(r.body()).get("error").get("message").asText()).contains("body");
            assertThat(c.closedWithin(3000)).isTrue();
        }
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (RawHttp c = new RawHttp(server.port())) {
            assertEquals(200, c.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").read().status());
            assertThat(c.closedWithin(6000)).as("closed about 2 s after the response").isTrue();
        }
    }

    @Test
    void idleConnectionsPastTheLimitMakeWayForNewOnes() throws Exception {
        // a long idle timeout here, so that only the limit closes connections
        ServerSettings settings = ServerSettings.defaults(TestServer.modelDir("vane-limits-model", true)).withPort(0)
                .withEngine(ComputeDType.F32, 1, 2, 256).withHttp(ServerSettings.Http.of(MAX_CONNECTIONS, 10, 10, 60, Optional.empty()));
        List<Socket> idle = new ArrayList<>();
        try (VaneServer small = Main.start(settings)) {
            for (int i = 0; i < 100; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", small.port()), 2000);
                s.setSoTimeout(500); // an evicted connection reads its end at once
                idle.add(s);
            }
            try (RawHttp c = new RawHttp(small.port())) {
                assertEquals(200, c.send("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").read().status());
            }
            int closed = 0;
            for (Socket s : idle) if (closedByServer(s)) closed++;
            assertThat(closed).as("idle connections the server closed to stay within %d", MAX_CONNECTIONS)
                    .isGreaterThanOrEqualTo(100 - MAX_CONNECTIONS);
        } finally {
            for (Socket s : idle) s.close();
        }
    }

    private static boolean closedByServer(Socket s) {
        try {
            return s.getInputStream().read() == -1;
        } catch (IOException e) {
            return e.getMessage() == null || !e.getMessage().contains("timed out");
        }
    }
}
