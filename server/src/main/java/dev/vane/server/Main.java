package dev.vane.server;


import ai.djl.ndarray.NDManager;
import dev.vane.engine.config.ModelConfig;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.control.RegistryArtifacts;
import dev.vane.steering.control.SteeringControl;
import dev.vane.steering.plan.ModelShape;
import java.util.Optional;

import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.schedule.Scheduler;
import dev.vane.engine.schedule.SchedulerConfig;
import dev.vane.engine.tokenizer.Tokenizer;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;

import java.io.PrintStream;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicBoolean;

/** Wires settings, model, scheduler, metrics and HTTP routes; nothing else. */
public final class Main {

    private Main() {}

    /**
     * {@code vane serve}: starts the server on settings the command line parsed, reports where it
     * listens on {@code out}, and returns; the server keeps running until the process stops.
     */
    public static VaneServer serve(ServerSettings s, PrintStream out) {
        VaneServer server = start(s);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        out.println("vane: serving " + s.model() + " on http://" + s.host() + ":" + server.port());
        server.adminPort().ifPresentOrElse(
                p -> out.println("vane: admin API on http://" + s.host() + ":" + p + " (bearer token)"),
                () -> out.println("vane: admin API off (set VANE_ADMIN_TOKEN to enable it)"));
        return server;
    }

    /** Loads the model, starts the scheduler and the HTTP server; returns once it listens and is ready. */
    public static VaneServer start(ServerSettings s) {
        if (!Files.isDirectory(s.model())) throw new IllegalArgumentException("model directory not found: " + s.model());
        int kernelThreads = ModelLoader.inferenceKernelThreads(s.dtype(), s.threads());
        // with the Java decode path PyTorch runs only hooks' small ops: one thread, so that OpenMP
        // workers spinning after each op do not compete with the kernel threads for the cores
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(kernelThreads > 0 ? 1 : s.threads()));
        CausalLM model = ModelLoader.load(s.model(), s.dtype(), s.context(), kernelThreads);
        Tokenizer tokenizer = Tokenizer.load(s.model());
        ServerMetrics metrics = new ServerMetrics();
        Scheduler scheduler = new Scheduler(model, tokenizer,
                new SchedulerConfig(s.slots(), s.context(), s.queueLimit(), s.prefillChunk()), metrics);
        metrics.bind(scheduler);
        String id = s.model().toAbsolutePath().normalize().getFileName().toString();
        ModelConfig mc = model.config();
        RegistryArtifacts artifacts = new RegistryArtifacts(
                new ArtifactRegistry(s.admin().artifacts().toAbsolutePath(), s.admin().maxArtifactBytes()), ModelFingerprint.of(mc));
        SteeringControl steering = new SteeringControl(artifacts, ModelShape.of(mc),
                AdminService.listener(metrics));
        s.admin().profiles().ifPresent(file -> ProfilesFile.load(file, steering));
        NDManager steeringTensors = NDManager.newBaseManager();
        ServerContext ctx = new ServerContext(scheduler, id, metrics, s.maxBodyBytes(), s.slots() + s.queueLimit(),
                steering, steeringTensors);
        AtomicBoolean ready = new AtomicBoolean();
        WebServer http = WebServer.builder()
                .host(s.host())
                .port(s.port())
                .routing(r -> r.register(new OpenAiService(ctx), new GenerateService(ctx), new InfoService(ctx, ready::get))
                        .any((req, res) -> {
                            res.status(Status.NOT_FOUND_404);
                            Responses.json(res, Responses.errorBody(new ApiError(404, "invalid_request_error", null,
                                    "no route " + req.prologue().method().text() + " " + req.path().path())));
                        }))
                .build()
                .start();
        Optional<WebServer> admin = s.admin().token().map(token -> WebServer.builder()
                .host(s.host())
                .port(s.admin().port())
                .routing(r -> r.register(new AdminService(token, steering, artifacts, scheduler, metrics, id,
                                s.admin().maxArtifactBytes()))
                        .any((req, res) -> {
                            res.status(Status.NOT_FOUND_404);
                            Responses.json(res, Responses.errorBody(new ApiError(404, "invalid_request_error", null,
                                    "no route " + req.prologue().method().text() + " " + req.path().path())));
                        }))
                .build()
                .start());
        ready.set(true);
        return new VaneServer(http, admin, scheduler, steering, ready, steeringTensors::close);
    }
}
