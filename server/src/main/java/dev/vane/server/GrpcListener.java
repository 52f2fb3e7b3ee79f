package dev.vane.server;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import dev.vane.server.grpc.v1.GenerationGrpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC listener ({@code --grpc-port}): {@code vane.v1.Generation}, the standard health service
 * ({@code grpc.health.v1.Health}: SERVING while the server is ready, NOT_SERVING from the start of a
 * graceful stop) and server reflection ({@code grpc.reflection.v1} and {@code v1alpha}), so generic clients list and
 * call the service without the {@code .proto}. Calls run on virtual threads. With an API key, a
 * generation call needs {@code authorization: Bearer KEY} (else UNAUTHENTICATED); health and
 * reflection stay open, as {@code /health} does.
 */
public final class GrpcListener implements AutoCloseable {

    static final String SERVICE = GenerationGrpc.SERVICE_NAME;

    private final Server server;
    private final HealthStatusManager health;
    private final ExecutorService calls;

    private GrpcListener(Server server, HealthStatusManager health, ExecutorService calls) {
        this.server = server;
        this.health = health;
        this.calls = calls;
    }

    static GrpcListener start(String host, int port, ServerContext ctx, Optional<String> apiKey) {
        HealthStatusManager health = new HealthStatusManager();
        ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
        var generation = new GrpcGenerationService(ctx).bindService();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port)).executor(calls)
                .addService(apiKey.map(key -> ServerInterceptors.intercept(generation, new BearerKey(BearerAuth.api(key)))).orElse(generation))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(reflectionV1Alpha())
                .build();
        try {
            server.start();
        } catch (IOException e) {
            calls.shutdownNow();
            throw new UncheckedIOException(e);
        }
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(SERVICE, ServingStatus.SERVING);
        return new GrpcListener(server, health, calls);
    }

    /** The older reflection protocol ({@code grpc.reflection.v1alpha}), which some clients still ask first. */
    @SuppressWarnings("deprecation")
    private static io.grpc.BindableService reflectionV1Alpha() {
        return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
    }

    public int port() {
        return server.getPort();
    }

    /** A graceful stop began: health checks say NOT_SERVING from now on. */
    void stopServing() {
        health.enterTerminalState();
    }

    @Override
    public void close() {
        stopServing();
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        calls.shutdownNow();
    }

    /** {@code authorization: Bearer KEY} on every call, checked as the HTTP API's gate checks it. */
    private record BearerKey(BearerAuth gate) implements ServerInterceptor {
        private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            String given = headers.get(AUTHORIZATION);
            if (!gate.accepts(given == null ? "" : given)) {
                call.close(Status.UNAUTHENTICATED.withDescription("authorization: Bearer <api key> required"), new Metadata());
                return new ServerCall.Listener<>() { };
            }
            return next.startCall(call, headers);
        }
    }
}
