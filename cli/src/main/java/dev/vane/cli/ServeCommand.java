package dev.vane.cli;

import dev.vane.engine.model.Backend;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.WeightCache;
import dev.vane.server.Main;
import dev.vane.server.ServerSettings;
import dev.vane.server.SettingsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** {@code vane serve}: the OpenAI-compatible server ({@link Main}). */
@Command(name = "serve", sortOptions = false,
        description = {"Start the OpenAI-compatible server (the default command).",
                "A flag not given reads VANE_<FLAG> (VANE_QUEUE_LIMIT, ...), then the vane: section of",
                "application.yaml, then its built-in default; the values shown are what this run would use."})
final class ServeCommand extends Leaf {

    @Option(names = "--model", paramLabel = "DIR|FILE.gguf", description = "checkpoint directory or GGUF file (${DEFAULT-VALUE})")
    Path model;
    @Option(names = "--host", paramLabel = "ADDR", description = "bind address (${DEFAULT-VALUE})")
    String host;
    @Option(names = "--port", paramLabel = "N", description = "public port, 0 picks a free one (${DEFAULT-VALUE})")
    int port;
    @Option(names = "--dtype", paramLabel = "auto|f16|f32|q8_0|q4_0|q4_k",
            description = "compute dtype of the projections; auto: the checkpoint's, f16 for f16 and bf16 files; q8_0 and q4_0 quantise at load; q4_k runs a GGUF file stored in Q4_K (${DEFAULT-VALUE})")
    String dtype;
    @Option(names = "--backend", paramLabel = "auto|java|tensor",
            description = "the decoder: auto picks the Java f16 kernels where they can run the model, else the tensor path (${DEFAULT-VALUE})")
    Backend.Request backend;
    @Option(names = "--weights-cache", paramLabel = "auto|off",
            description = "keep the Java decoder's packed weights in .vane/ beside the checkpoint for a faster next start (${DEFAULT-VALUE})")
    WeightCache weightsCache;
    @Option(names = "--kv-dtype", paramLabel = "auto|f16|f32",
            description = "KV cache element type; auto: f16 on the Java decoder (half the memory of f32), f32 on the tensor decoder (${DEFAULT-VALUE})")
    String kvDType;
    @Option(names = "--threads", paramLabel = "N", description = "threads of the decoder (${DEFAULT-VALUE})")
    int threads;
    @Option(names = "--slots", paramLabel = "N", description = "sequences decoded together, KV cache slots (${DEFAULT-VALUE})")
    int slots;
    @Option(names = "--context", paramLabel = "N", description = "prompt + generated tokens per sequence (${DEFAULT-VALUE})")
    int context;
    @Option(names = "--queue-limit", paramLabel = "N", description = "sequences waiting for a slot before 429 (${DEFAULT-VALUE})")
    int queueLimit;
    @Option(names = "--prefill-chunk", paramLabel = "N", description = "prompt tokens per prefill step (${DEFAULT-VALUE})")
    int prefillChunk;
    @Option(names = "--max-body-bytes", paramLabel = "N", description = "largest request body; larger get 413 (${DEFAULT-VALUE})")
    long maxBodyBytes;
    @Option(names = "--artifacts", paramLabel = "DIR", description = "steering artifact registry (${DEFAULT-VALUE})")
    Path artifacts;
    @Option(names = "--admin-host", paramLabel = "ADDR", description = "bind address of the admin API, loopback unless set (${DEFAULT-VALUE})")
    String adminHost;
    @Option(names = "--admin-port", paramLabel = "N", description = "admin API port (${DEFAULT-VALUE})")
    int adminPort;
    @Option(names = "--admin-token", paramLabel = "TOKEN",
            description = "bearer token of the admin API, 16 characters or more; none: admin API off")
    String adminToken;
    @Option(names = "--max-artifact-bytes", paramLabel = "N", description = "largest artifact uploaded or loaded (${DEFAULT-VALUE})")
    long maxArtifactBytes;
    @Option(names = "--profiles", paramLabel = "FILE", description = "JSON file of steering profiles loaded at start")
    Path profiles;
    @Option(names = "--access-log", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "log one line per HTTP request (${DEFAULT-VALUE})")
    boolean accessLog;
    @Option(names = "--api-key", paramLabel = "KEY",
            description = "bearer token the public API (/v1/...) requires; none: the API is open")
    String apiKey;
    @Option(names = "--max-connections", paramLabel = "N",
            description = "open connections per listener; past it the longest-idle one is closed (${DEFAULT-VALUE})")
    int maxConnections;
    @Option(names = "--header-timeout", paramLabel = "SECONDS", description = "time to send a request's headers (${DEFAULT-VALUE})")
    long headerTimeout;
    @Option(names = "--body-timeout", paramLabel = "SECONDS", description = "longest pause inside a request body (${DEFAULT-VALUE})")
    long bodyTimeout;
    @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "idle time before a kept-alive connection is closed (${DEFAULT-VALUE})")
    long idleTimeout;
    @Option(names = "--request-timeout", paramLabel = "SECONDS",
            description = "generation deadline of every request, from its arrival; 0: none (${DEFAULT-VALUE})")
    long requestTimeout;
    @Option(names = "--drain-timeout", paramLabel = "SECONDS",
            description = "on SIGTERM, how long requests in flight may finish before they are ended; 0: end them at once (${DEFAULT-VALUE})")
    long drainTimeout;
    @Option(names = "--grpc-port", paramLabel = "N|off",
            description = "port of the gRPC service vane.v1.Generation (0 picks a free one), on --host; off: none (${DEFAULT-VALUE})")
    String grpcPort;
    @Option(names = "--attention", paramLabel = "auto|softmax|lssa:L|lssar:L:P|sigmoid:B",
            description = "attention kernel; auto: the one the checkpoint was trained with (config.json vane_attention, else softmax); "
                    + "another needs --force-attention (${DEFAULT-VALUE})")
    String attention;
    @Option(names = "--force-attention", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "run --attention although the checkpoint was trained with another kernel (${DEFAULT-VALUE})")
    boolean forceAttention;
    @Option(names = "--attention-algorithm", paramLabel = "reference|online|two_pass",
            description = "how softmax attention is computed: the whole score row, blocks with a running maximum, or two passes "
                    + "(the same function; online and two_pass hold one block of scores) (${DEFAULT-VALUE})")
    String attentionAlgorithm;
    @Option(names = "--attention-log-n", paramLabel = "off|L",
            description = "training-free log-n query scaling of a softmax model trained at length L: logits × max(1, ln n / ln L) (${DEFAULT-VALUE})")
    String attentionLogN;

    /** The settings these flags (over the environment, the settings file and the defaults) give. */
    ServerSettings settings() {
        return options(() -> new ServerSettings(model, host, port, ServerSettings.dtype(dtype), backend, weightsCache, ServerSettings.kvDType(kvDType), threads, slots, context,
                queueLimit, prefillChunk, maxBodyBytes, new ServerSettings.Admin(artifacts, adminHost, adminPort,
                Optional.ofNullable(adminToken), maxArtifactBytes, Optional.ofNullable(profiles)), accessLog,
                ServerSettings.Http.of(maxConnections, headerTimeout, bodyTimeout, idleTimeout, Optional.ofNullable(apiKey)),
                ServerSettings.requestTimeout(requestTimeout), java.time.Duration.ofSeconds(drainTimeout),
                ServerSettings.grpcPort(grpcPort),
                ServerSettings.attention(attention, forceAttention, attentionAlgorithm, attentionLogN)));
    }

    @Override
    public Integer call() {
        ServerSettings s = settings();
        if (!Files.isDirectory(s.model()) && !ModelLoader.isGguf(s.model()))
            throw usage("--model: neither a checkpoint directory nor a .gguf file: " + s.model());
        try {
            Main.serve(s, out());
        } catch (SettingsException e) {
            throw usage(e.getMessage());
        }
        return 0;
    }
}
