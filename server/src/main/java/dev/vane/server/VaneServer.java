package dev.vane.server;

import dev.vane.steering.control.SteeringControl;
import java.util.Optional;
import java.util.OptionalInt;

import dev.vane.engine.cache.KvDType;
import dev.vane.engine.model.Backend;
import dev.vane.engine.schedule.GenerationService;
import dev.vane.server.http.SupervisedListener;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A started server: the HTTP listener, the admin listener (when a token is configured), each
 * restarted should it stop accepting ({@link SupervisedListener}), the
 * scheduler behind them, the steering state, the readiness flag that {@code /health/ready}
 * reports, the model's backend, its KV cache's element type and the routes the listeners serve. {@link #close()} stops them all and closes {@code resources}
 * (the model): readiness first, then the engine, so that every request still in flight gets an
 * answer (503 "the server is shutting down", or that error event on a stream) before the
 * listeners stop.
 */
public record VaneServer(SupervisedListener http, Optional<SupervisedListener> admin, Optional<GrpcListener> grpc, GenerationService engine,
                         SteeringControl steering, AtomicBoolean ready, Backend backend, KvDType kvDType, RouteRecorder recorder,
                         AutoCloseable resources)
        implements AutoCloseable {

    /**
     * The HTTP routes the listeners serve, public and admin, as their services registered them
     * ({@link RouteRecorder}); the 404 for any other path is not a route.
     */
    public java.util.List<Route> routes() {
        return recorder.routes();
    }

    public int port() {
        return http.port();
    }

    /** The gRPC listener's port, when it runs. */
    public OptionalInt grpcPort() {
        return grpc.map(g -> OptionalInt.of(g.port())).orElse(OptionalInt.empty());
    }

    /** The admin API's port, when it runs. */
    public OptionalInt adminPort() {
        return admin.map(a -> OptionalInt.of(a.port())).orElse(OptionalInt.empty());
    }

    /**
     * A graceful stop (SIGTERM, a rolling update): readiness goes down and new requests get 503
     * "the server is shutting down", while the requests in flight, streams included, run to their
     * end for up to {@code timeout}; then {@link #close()} ends whatever is left.
     */
    public void drainAndClose(java.time.Duration timeout) {
        System.Logger log = System.getLogger(VaneServer.class.getName());
        engine.stopAdmitting(); // before readiness goes down: whoever sees "not ready" also gets 503 for a new request
        ready.set(false);
        grpc.ifPresent(GrpcListener::stopServing);
        var stats = engine.stats();
        log.log(System.Logger.Level.INFO, "stopping: draining " + stats.running() + " running and " + stats.waiting()
                + " waiting sequences (up to " + timeout.toSeconds() + " s)");
        try {
            boolean drained = engine.drain(timeout);
            if (!drained) log.log(System.Logger.Level.WARNING, "stopping: " + engine.stats().running() + " sequences still running after "
                    + timeout.toSeconds() + " s; ending them");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    @Override
    public void close() {
        ready.set(false);
        engine.close(); // first: requests in flight end with their 503 while the listeners still answer
        admin.ifPresent(SupervisedListener::close);
        grpc.ifPresent(GrpcListener::close);
        http.close();
        try {
            resources.close();
        } catch (Exception e) {
            System.getLogger(VaneServer.class.getName()).log(System.Logger.Level.WARNING, "closing: " + e);
        }
    }
}
