package dev.vane.server;

import dev.vane.engine.schedule.GenerationService;
import io.helidon.webserver.WebServer;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A started server: the HTTP listener, the scheduler behind it and the readiness flag that
 * {@code /health/ready} reports. {@link #close()} stops both (readiness first).
 */
public record VaneServer(WebServer http, GenerationService engine, AtomicBoolean ready) implements AutoCloseable {

    public int port() {
        return http.port();
    }

    @Override
    public void close() {
        ready.set(false);
        http.stop();
        engine.close();
    }
}
