package dev.vane.server;

import dev.vane.engine.model.ComputeDType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A public listener that stops accepting (as Helidon's does for good after an accept error;
 * simulated here by stopping its server) is replaced on the same port within a few seconds, and
 * readiness turns DOWN, with the reason, once that has happened three times within a minute.
 */
class ListenerRecoveryTest {

    @Test
    void aListenerThatStopsIsRestartedAndRepeatedFailuresTurnReadinessDown() throws Exception {
        ServerSettings s = ServerSettings.defaults(TestServer.modelDir("vane-recovery-model", true)).withPort(0)
                .withEngine(ComputeDType.F32, 1, 2, 256);
        try (VaneServer server = Main.start(s)) {
            TestServer t = TestServer.wrap(server, s);
            int port = server.port();
            for (int failure = 1; failure <= 3; failure++) {
                assertEquals(200, t.get("/health/ready").statusCode(), "ready before failure " + failure);
                server.http().server().stop();
                awaitServing(t);
                assertEquals(port, server.port());
            }
            HttpResponse<String> ready = t.get("/health/ready");
            assertEquals(503, ready.statusCode(), ready.body());
            assertEquals("DOWN", TestServer.read(ready.body()).get("status").asText());
            assertThat(TestServer.read(ready.body()).get("reason").asText()).contains("listener");
            assertEquals(200, t.get("/health/live").statusCode());
        }
    }

    /** Waits (at most 15 s) until the port answers again. */
    private static void awaitServing(TestServer t) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if (t.get("/health/live").statusCode() == 200) return;
            } catch (RuntimeException e) {
                if (!(e.getCause() instanceof IOException)) throw e;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the listener did not come back within 15 s");
    }
}
