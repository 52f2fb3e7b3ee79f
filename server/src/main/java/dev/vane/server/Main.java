package dev.vane.server;


import dev.vane.engine.cache.KvBudget;
import dev.vane.engine.cache.KvCacheTooLargeException;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.gguf.GgufFile;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.LoadOptions;
import dev.vane.engine.generate.GenerationDefaults;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.schedule.GenerationService;
import dev.vane.engine.schedule.Scheduler;
import dev.vane.engine.schedule.SchedulerConfig;
import dev.vane.engine.text.Snippet;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.server.http.ConnectionGuard;
import dev.vane.server.http.ConnectionLimits;
import dev.vane.server.http.OpenFileLimit;
import dev.vane.server.http.SupervisedListener;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.control.ArtifactAdmin;
import dev.vane.steering.control.ProbeRefinement;
import dev.vane.steering.control.RegistryArtifacts;
import dev.vane.steering.control.SteeringControl;
import dev.vane.steering.plan.ModelShape;
import io.helidon.http.Status;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.accesslog.AccessLogFeature;

import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** Wires settings, model, scheduler, metrics and HTTP routes; nothing else. */
public final class Main {

    /** How often each listener checks that it still accepts connections. */
    static final Duration LISTENER_PROBE = Duration.ofSeconds(2);

    private Main() {}

    /**
     * The server without the command line around it, configured by {@code VANE_*} environment
     * variables over {@code application.yaml} over the defaults ({@link ServerSettings#configured}):
     * {@code java -cp RUNTIME_CLASSPATH dev.vane.server.Main}. Flags are the command line's
     * ({@code vane serve}).
     */
    public static void main(String[] args) {
        if (args.length > 0) {
            System.err.println("vane: dev.vane.server.Main takes no flags (use VANE_* variables, or vane serve)");
            System.exit(2);
        }
        ServerSettings s;
        try {
            s = ServerSettings.configured(System.getenv(), ServerSettings.yaml(ServerSettings.DEFAULT_CONFIG));
        } catch (IllegalArgumentException e) {
            System.err.println("vane: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            serve(s, System.out);
        } catch (SettingsException e) {
            System.err.println("vane: " + e.getMessage());
            System.exit(2);
        }
    }

    /**
     * {@code vane serve}: starts the server on parsed settings, reports where it listens and on which
     * backend on {@code out}, and returns; the server keeps running until the process stops.
     */
    public static VaneServer serve(ServerSettings s, PrintStream out) {
        LogConfig.configureRuntime(); // logging.properties, before the model loader's first log line
        VaneServer server = start(s);
        // the load's transient objects (files' headers, the tokenizer's JSON, the kernels' warm-up)
        // were promoted beside what the server keeps: a full collection now lets the old generation
        // shrink to what it holds (deploy/jvm.options keeps it within 10% of that), instead of
        // keeping those pages resident for the life of the process
        System.gc();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.drainAndClose(s.drainTimeout()), "vane-shutdown"));
        out.println("vane: serving " + s.model() + " on http://" + s.host() + ":" + server.port() + ", " + server.backend()
                + ", " + server.kvDType().label() + " KV cache"
                + (s.http().apiKey().isPresent() ? " (API key required)" : ""));
        server.grpcPort().ifPresent(p -> out.println("vane: gRPC service vane.v1.Generation on " + s.host() + ":" + p
                + " (health, reflection)"));
        server.adminPort().ifPresentOrElse(
                p -> out.println("vane: admin API on http://" + s.admin().host() + ":" + p + " (bearer token)"),
                () -> out.println("vane: admin API off (set VANE_ADMIN_TOKEN to enable it)"));
        return server;
    }

    /**
     * Loads the model, starts the scheduler and the HTTP server; returns once it listens and is ready.
     *
     * @throws SettingsException when the KV cache of {@code --slots × --context} does not fit memory
     */
    public static VaneServer start(ServerSettings s) {
        return start(s, UnaryOperator.identity());
    }

    /** The tokenizer a GGUF model file carries. */
    private static Tokenizer ggufTokenizer(java.nio.file.Path file) {
        try (GgufFile g = GgufFile.open(file, Long.MAX_VALUE)) {
            return Tokenizer.fromGguf(g);
        }
    }

    /** {@link #start(ServerSettings)} with the routes talking to {@code engine} applied to the scheduler (tests inject faults). */
    static VaneServer start(ServerSettings s, UnaryOperator<GenerationService> engine) {
        boolean gguf = ModelLoader.isGguf(s.model());
        if (!gguf && !Files.isDirectory(s.model()))
            throw new IllegalArgumentException("neither a model directory nor a .gguf file: " + s.model());
        if (!gguf && s.dtype().filter(d -> d == ComputeDType.Q4_K).isPresent())
            throw new SettingsException("--dtype q4_k: runs GGUF files stored in Q4_K; quantise a checkpoint with q8_0 or q4_0", null);
        GenerationDefaults defaults = GenerationDefaults.read(s.model()); // before the slow part: a bad file stops the start
        if (!defaults.describe().isEmpty())
            System.getLogger(Main.class.getName()).log(System.Logger.Level.INFO,
                    "sampling defaults from " + (gguf ? s.model().getFileName() : GenerationDefaults.FILE) + ": " + defaults.describe());
        // the tokenizer (a large vocabulary takes a second) loads beside the weights
        CompletableFuture<Tokenizer> loadingTokenizer = CompletableFuture.supplyAsync(() -> gguf ? ggufTokenizer(s.model()) : Tokenizer.load(s.model()),
                r -> Thread.ofPlatform().name("vane-tokenizer-load").start(r));
        CausalLM model;
        try {
            model = ModelLoader.load(s.model(), new LoadOptions(s.dtype(), s.context(), s.backend(), s.threads(), s.weightsCache(), s.kvDType(), s.attention()));
        } catch (RuntimeException e) {
            loadingTokenizer.thenAccept(Tokenizer::close);
            throw e;
        }
        Tokenizer tokenizer;
        try {
            tokenizer = loadingTokenizer.join();
        } catch (CompletionException e) {
            model.close();
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        String id = s.model().toAbsolutePath().normalize().getFileName().toString().replaceFirst("(?i)\\.gguf$", "");
        ServerMetrics metrics = new ServerMetrics(id);
        Scheduler scheduler;
        try {
            scheduler = new Scheduler(model, tokenizer, new SchedulerConfig(s.slots(), s.context(), s.queueLimit(), s.prefillChunk()), metrics);
        } catch (KvCacheTooLargeException e) {
            metrics.close();
            tokenizer.close();
            model.close();
            throw new SettingsException("--slots " + s.slots() + " × --context " + s.context() + ": " + e.getMessage()
                    + "; lower --slots or --context" + (e.budget().memory() == KvBudget.Memory.HEAP
                    ? ", or give the JVM a larger heap (-Xmx, VANE_JAVA_OPTS)" : ""), e);
        }
        metrics.bind(scheduler);
        metrics.bindModel(model);
        ModelConfig mc = model.config();
        ArtifactRegistry registry = new ArtifactRegistry(s.admin().artifacts().toAbsolutePath(), s.admin().maxArtifactBytes());
        RegistryArtifacts artifacts = new RegistryArtifacts(registry, ModelFingerprint.of(mc));
        Consumer<SteeringControl.Change> changeLog = AdminRoutes.changeLog(metrics);
        SteeringControl steering = new SteeringControl(artifacts, ModelShape.of(mc), changeLog);
        ArtifactAdmin artifactAdmin = new ArtifactAdmin(artifacts, steering, changeLog);
        try {
            BundledSteering.Installed bundled = BundledSteering.prepare(s.model(), registry, ModelFingerprint.of(mc));
            if (s.admin().profiles().isPresent()) ProfilesFile.load(s.admin().profiles().get(), steering);
            else bundled.profiles().ifPresent(file -> ProfilesFile.load(file, steering, ProfilesFile.Mode.BUNDLED));
        } catch (RuntimeException e) {
            scheduler.close();
            metrics.close();
            tokenizer.close();
            model.close();
            throw e;
        }
        GenerationService served = engine.apply(scheduler);
        ServerContext ctx = new ServerContext(served, id, metrics, s.maxBodyBytes(), s.slots() + s.queueLimit(), steering,
                s.requestTimeout(), ConnectionWatch.system(), defaults,
                new ServedAttention(model.config().attention(), model.config().headDim(), model.backend().kind(), s.attention().options()));
        AtomicBoolean ready = new AtomicBoolean();
        AtomicReference<SupervisedListener> publicListener = new AtomicReference<>();
        Supplier<Optional<String>> notReady = () -> !ready.get() ? Optional.of("the server is starting or shutting down")
                : Optional.ofNullable(publicListener.get()).flatMap(SupervisedListener::problem);
        ConnectionLimits limits = new ConnectionLimits(s.http().maxConnections(), s.http().headerTimeout(), s.http().bodyTimeout(),
                s.http().idleTimeout());
        OpenFileLimit.check((long) limits.acceptCap() * (s.admin().token().isPresent() ? 2 : 1))
                .ifPresent(w -> System.getLogger(Main.class.getName()).log(System.Logger.Level.WARNING, w));
        RouteRecorder routes = new RouteRecorder();
        SupervisedListener http = SupervisedListener.start("public", s.host(), s.port(), port -> listener(s, s.host(), port, limits,
                "vane.http-access").routing(r -> {
                    s.http().apiKey().ifPresent(key -> r.register(BearerAuth.api(key)));
                    r.register(routes.recording(Route.Listener.PUBLIC, new OpenAiService(ctx), new GenerateService(ctx),
                            new InfoService(ctx, notReady), new InterventionsService(ctx, registry), new TokenizeService(ctx),
                            new EmbeddingsService(ctx), new PlaygroundService()))
                            .any(Main::noRoute);
                }).build(), LISTENER_PROBE);
        publicListener.set(http);
        Optional<SupervisedListener> admin = s.admin().token().map(token -> SupervisedListener.start("admin", s.admin().host(),
                s.admin().port(), port -> listener(s, s.admin().host(), port, limits, "vane.admin-access")
                        .routing(r -> r.register(BearerAuth.admin(token))
                                .register(routes.recording(Route.Listener.ADMIN,
                                        new SteeringAdminService(steering, artifactAdmin, scheduler, id, s.admin().maxArtifactBytes()),
                                        new ArtifactAdminService(artifactAdmin, new ProbeRefinement(artifactAdmin, scheduler, mc.numLayers()),
                                                s.admin().maxArtifactBytes())))
                                .any(Main::noRoute))
                        .build(), LISTENER_PROBE));
        Optional<GrpcListener> grpc;
        try {
            grpc = s.grpcPort().isPresent()
                    ? Optional.of(GrpcListener.start(s.host(), s.grpcPort().getAsInt(), ctx, s.http().apiKey())) : Optional.empty();
        } catch (java.io.UncheckedIOException e) { // the port is taken: what started is closed, and the message names the flag
            admin.ifPresent(SupervisedListener::close);
            http.close();
            served.close();
            metrics.close();
            tokenizer.close();
            model.close();
            throw new SettingsException("--grpc-port " + s.grpcPort().getAsInt() + " on " + s.host() + ": "
                    + e.getCause().getMessage(), e);
        }
        ready.set(true);
        return new VaneServer(http, admin, grpc, served, steering, ready, model.backend(), model.kvDType(), routes, () -> {
            metrics.close();
            model.close();
        });
    }

    /** 404 in OpenAI's error shape for a route no service has. */
    private static void noRoute(io.helidon.webserver.http.ServerRequest req, io.helidon.webserver.http.ServerResponse res) {
        res.status(Status.NOT_FOUND_404);
        Responses.json(res, Responses.errorBody(new ApiError(404, "invalid_request_error", null,
                "no route " + req.prologue().method().text() + " " + Snippet.of(req.path().path()))));
    }

    /**
     * A listener's settings: only the features named here (Helidon would otherwise add any
     * feature it finds on the class path), HTTP/1 connections through a {@link ConnectionGuard}
     * (framing checks, timeouts, the connection limit), and, when {@code --access-log} is on, an
     * access log to {@code accessLogger} (Helidon appends the socket, {@code .@default}). Helidon's
     * own shutdown hook is off: on SIGTERM the server's hook drains first ({@link VaneServer#drainAndClose}),
     * then stops the listeners.
     */
    private static WebServerConfig.Builder listener(ServerSettings s, String host, int port, ConnectionLimits limits,
                                                    String accessLogger) {
        WebServerConfig.Builder b = WebServer.builder().host(host).port(port).featuresDiscoverServices(false).shutdownHook(false);
        new ConnectionGuard(limits).install(b);
        if (s.accessLog()) b.addFeature(AccessLogFeature.create(c -> c.loggerName(accessLogger)));
        return b;
    }
}
