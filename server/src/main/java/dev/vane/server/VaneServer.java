package dev.vane.server;

import dev.vane.steering.control.SteeringControl;
import java.util.Optional;
import java.util.OptionalInt;

import dev.vane.engine.schedule.GenerationService;
import io.helidon.webserver.WebServer;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A started server: the HTTP listener, the admin listener (when a token is configured), the
 * scheduler behind them, the steering state and the readiness flag that {@code /health/ready}
 * reports. {@link #close()} stops them all (readiness first).
 */
public record VaneServer(WebServer http, Optional<WebServer> admin, GenerationService engine,
                         SteeringControl steering, AtomicBoolean ready, AutoCloseable resources) implements AutoCloseable {

    public int port() {
        return http.port();
    }

    /** The admin API's port, when it runs. */
    public OptionalInt adminPort() {
        return admin.map(a -> OptionalInt.of(a.port())).orElse(OptionalInt.empty());
    }

    @Override
    public void close() {
        ready.set(false);
        admin.ifPresent(WebServer::stop);
        http.stop();
        engine.close();
        try {
            resources.close();
        } catch (Exception e) {
            System.getLogger(VaneServer.class.getName()).log(System.Logger.Level.WARNING, "closing: " + e);
        }
    }
}
