package dev.vane.server;

import dev.vane.attention.AttentionKind;
import dev.vane.attention.AttentionOptions;
import dev.vane.attention.LengthScale;
import dev.vane.attention.SoftmaxAlgorithm;
import dev.vane.engine.cache.KvDType;
import dev.vane.engine.model.AttentionChoice;
import dev.vane.engine.model.Backend;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.WeightCache;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Typed settings, built once at start-up from command-line flags, then environment variables
 * ({@code VANE_MODEL}, {@code VANE_PORT}, {@code VANE_QUEUE_LIMIT}, ...), then the {@code vane:}
 * section of {@code application.yaml} (same keys as the flags), then defaults. The command line
 * ({@code vane serve}) parses the flags; {@link #configured} gives the layers beneath them.
 *
 * @param model        checkpoint directory
 * @param host         bind address
 * @param port         public port (0 picks a free one)
 * @param dtype        compute dtype of the projections; empty ({@code auto}): the checkpoint's
 * @param backend      which decoder runs the model ({@code auto}: the Java kernels where they can)
 * @param weightsCache whether the Java decoder keeps its packed weights beside the checkpoint
 * @param kvDType      the KV cache's element type; empty ({@code auto}): f16 on the Java decoder,
 *                     f32 on the tensor decoder
 * @param threads      threads of that decoder
 * @param slots        concurrent sequences (KV cache slots)
 * @param context      maximum sequence length
 * @param queueLimit   sequences waiting for a slot before requests get 429
 * @param prefillChunk prompt tokens per prefill step (long prompts do not stall running decodes)
 * @param maxBodyBytes largest accepted request body; larger ones get 413
 * @param admin        the steering registry and the admin API
 * @param accessLog    whether every HTTP request is logged (Helidon's access log, logger
 *                     {@code io.helidon.webserver.AccessLog}); a bare {@code --access-log} means true
 * @param http         connection limits and timeouts of both listeners, and the public API's key
 * @param requestTimeout generation deadline of every request, from its arrival in the queue
 *                     ({@code --request-timeout} seconds, 0: none); a request may ask for less
 * @param drainTimeout how long a stopping server (SIGTERM) lets the requests in flight finish
 *                     before it ends them ({@code --drain-timeout} seconds, 0: end them at once)
 * @param grpcPort     the gRPC service's port ({@code --grpc-port}, 0 picks a free one; on {@code host});
 *                     empty ({@code off}): no gRPC listener
 * @param attention    the attention kernel ({@code --attention}, {@code --force-attention}) and its
 *                     training-free options ({@code --attention-algorithm}, {@code --attention-log-n})
 */
public record ServerSettings(Path model, String host, int port, Optional<ComputeDType> dtype, Backend.Request backend, WeightCache weightsCache,
                             Optional<KvDType> kvDType,
                             int threads, int slots, int context, int queueLimit, int prefillChunk, long maxBodyBytes,
                             Admin admin, boolean accessLog, Http http, Optional<Duration> requestTimeout,
                             Duration drainTimeout, OptionalInt grpcPort, AttentionChoice attention) {

    /**
     * What each listener allows a client, and who may use the public API.
     *
     * @param maxConnections open connections per listener; past it the longest-idle connection is
     *                       closed to admit a new one, or the new one gets 503 when none is idle
     * @param headerTimeout  time from a request's first byte to the end of its header section (else 408 and close)
     * @param bodyTimeout    longest silence while a request body is being read (else 408 and close)
     * @param idleTimeout    how long a connection may wait between requests before it is closed
     * @param apiKey         bearer token of the public API ({@code /v1/...}); none: the API is open
     */
    public record Http(int maxConnections, Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout,
                       Optional<String> apiKey) {
        public Http {
            if (maxConnections < 1) throw new IllegalArgumentException("max-connections must be >= 1, got " + maxConnections);
            positive("header-timeout", headerTimeout);
            positive("body-timeout", bodyTimeout);
            positive("idle-timeout", idleTimeout);
            apiKey = apiKey.filter(k -> !k.isEmpty());
        }

        private static void positive(String setting, Duration d) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(setting + " must be > 0 seconds, got " + d.toSeconds());
        }

        /** Seconds, as the flags give them. */
        public static Http of(int maxConnections, long headerTimeoutSeconds, long bodyTimeoutSeconds, long idleTimeoutSeconds,
                              Optional<String> apiKey) {
            return new Http(maxConnections, Duration.ofSeconds(headerTimeoutSeconds), Duration.ofSeconds(bodyTimeoutSeconds),
                    Duration.ofSeconds(idleTimeoutSeconds), apiKey);
        }

        @Override
        public String toString() {
            return "Http[maxConnections=" + maxConnections + ", headerTimeout=" + headerTimeout + ", bodyTimeout=" + bodyTimeout
                    + ", idleTimeout=" + idleTimeout + ", apiKey=" + (apiKey.isPresent() ? "(set)" : "(none)") + "]";
        }
    }

    /**
     * @param artifacts        the artifact registry directory (created when missing)
     * @param host             bind address of the admin API; loopback unless set, whatever {@code host} is
     * @param port             admin API port (0 picks a free one)
     * @param token            bearer token of the admin API; none = admin API disabled
     * @param maxArtifactBytes largest artifact accepted by upload or load
     * @param profiles         a JSON file of steering profiles loaded at start
     *                         ({@code {"profiles": [...], "default_profile": name, "enabled": bool}})
     */
    public record Admin(Path artifacts, String host, int port, Optional<String> token, long maxArtifactBytes, Optional<Path> profiles) {
        /** On the default admin host, loopback. */
        public Admin(Path artifacts, int port, Optional<String> token, long maxArtifactBytes, Optional<Path> profiles) {
            this(artifacts, DEFAULT_ADMIN_HOST, port, token, maxArtifactBytes, profiles);
        }

        public Admin {
            if (host.isBlank()) throw new IllegalArgumentException("admin-host must not be empty");
            if (port < 0 || port > 65535) throw new IllegalArgumentException("admin-port must be in 0..65535, got " + port);
            if (maxArtifactBytes < 1) throw new IllegalArgumentException("max-artifact-bytes must be >= 1");
            token = token.filter(t -> !t.isEmpty());
            token.ifPresent(t -> {
                if (t.length() < 16) throw new IllegalArgumentException("admin-token must be at least 16 characters");
            });
        }

        @Override
        public String toString() {
            return "Admin[artifacts=" + artifacts + ", host=" + host + ", port=" + port + ", token=" + (token.isPresent() ? "(set)" : "(none)")
                    + ", maxArtifactBytes=" + maxArtifactBytes + ", profiles=" + profiles + "]";
        }
    }

    /**
     * The bundled model: {@code models/demo} under the distribution's home (the system property
     * {@code vane.home}, which its {@code bin/vane} sets), else under the working directory.
     */
    public static final Path DEFAULT_MODEL = Optional.ofNullable(System.getProperty("vane.home"))
            .map(home -> Path.of(home, "models", "demo")).orElse(Path.of("models", "demo"));
    public static final Path DEFAULT_CONFIG = Path.of("application.yaml");
    public static final String DEFAULT_ADMIN_HOST = "127.0.0.1";
    /** Every setting's name: its flag without the {@code --}, its key in the YAML file. */
    public static final Set<String> NAMES = Set.of("model", "host", "port", "dtype", "backend", "weights-cache", "kv-dtype", "threads", "slots", "context",
            "queue-limit", "prefill-chunk", "max-body-bytes", "artifacts", "admin-port", "admin-token", "max-artifact-bytes", "profiles",
            "access-log", "max-connections", "header-timeout", "body-timeout", "idle-timeout", "api-key", "admin-host",
            "request-timeout", "drain-timeout", "grpc-port", "attention", "force-attention", "attention-algorithm", "attention-log-n");

    public ServerSettings {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (slots < 1) throw new IllegalArgumentException("slots must be >= 1, got " + slots);
        if (context < 2) throw new IllegalArgumentException("context must be >= 2, got " + context);
        if (queueLimit < 0) throw new IllegalArgumentException("queue-limit must be >= 0, got " + queueLimit);
        if (prefillChunk < 1) throw new IllegalArgumentException("prefill-chunk must be >= 1, got " + prefillChunk);
        if (maxBodyBytes < 1) throw new IllegalArgumentException("max-body-bytes must be >= 1, got " + maxBodyBytes);
        requestTimeout = requestTimeout.filter(t -> !t.isZero());
        requestTimeout.ifPresent(t -> {
            if (t.isNegative()) throw new IllegalArgumentException("request-timeout must be >= 0 seconds, got " + t.toSeconds());
        });
        if (drainTimeout.isNegative()) throw new IllegalArgumentException("drain-timeout must be >= 0 seconds, got " + drainTimeout.toSeconds());
        grpcPort.ifPresent(p -> {
            if (p < 0 || p > 65535) throw new IllegalArgumentException("grpc-port must be off or in 0..65535, got " + p);
        });
    }

    /** Defaults for everything but the model directory. */
    public static ServerSettings defaults(Path model) {
        return new ServerSettings(model, "127.0.0.1", 8080, Optional.empty(), Backend.Request.AUTO, WeightCache.AUTO, Optional.empty(),
                Runtime.getRuntime().availableProcessors(), 8, 1024, 64, 256, 1 << 20,
                new Admin(Path.of("artifacts"), 8081, Optional.empty(), 64L << 20, Optional.empty()), false,
                Http.of(1024, 10, 30, 60, Optional.empty()), Optional.empty(), Duration.ofSeconds(30), OptionalInt.empty(),
                AttentionChoice.DEFAULT);
    }

    /** The built-in default of every setting that has one ({@link #defaults}), as the text a flag would give. */
    public static Map<String, String> defaultValues() {
        ServerSettings d = defaults(DEFAULT_MODEL);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", d.model().toString());
        m.put("host", d.host());
        m.put("port", String.valueOf(d.port()));
        m.put("dtype", "auto");
        m.put("backend", d.backend().name().toLowerCase(Locale.ROOT));
        m.put("weights-cache", d.weightsCache().name().toLowerCase(Locale.ROOT));
        m.put("kv-dtype", "auto");
        m.put("threads", String.valueOf(d.threads()));
        m.put("slots", String.valueOf(d.slots()));
        m.put("context", String.valueOf(d.context()));
        m.put("queue-limit", String.valueOf(d.queueLimit()));
        m.put("prefill-chunk", String.valueOf(d.prefillChunk()));
        m.put("max-body-bytes", String.valueOf(d.maxBodyBytes()));
        m.put("artifacts", d.admin().artifacts().toString());
        m.put("admin-port", String.valueOf(d.admin().port()));
        m.put("max-artifact-bytes", String.valueOf(d.admin().maxArtifactBytes()));
        m.put("access-log", String.valueOf(d.accessLog()));
        m.put("max-connections", String.valueOf(d.http().maxConnections()));
        m.put("header-timeout", String.valueOf(d.http().headerTimeout().toSeconds()));
        m.put("body-timeout", String.valueOf(d.http().bodyTimeout().toSeconds()));
        m.put("idle-timeout", String.valueOf(d.http().idleTimeout().toSeconds()));
        m.put("admin-host", d.admin().host());
        m.put("request-timeout", "0");
        m.put("drain-timeout", String.valueOf(d.drainTimeout().toSeconds()));
        m.put("grpc-port", "off");
        m.put("attention", "auto");
        m.put("force-attention", "false");
        m.put("attention-algorithm", d.attention().options().algorithm().id());
        m.put("attention-log-n", "off");
        return m;
    }

    /**
     * A setting's value when no flag gives it, and where it came from.
     *
     * @param origin {@code VANE_PORT}, {@code vane.port} (the YAML file) or {@code default}
     */
    public record Configured(String value, String origin) {}

    /**
     * The value of setting {@code name} from the environment variable {@code VANE_<NAME>} (dashes
     * as underscores), else the {@code vane:} section of the YAML file, else the built-in default;
     * empty for a setting with no default ({@code admin-token}, {@code api-key}, {@code profiles}). Flags, parsed
     * by the command line, sit above all three.
     */
    public static Optional<Configured> configured(String name, Map<String, String> env, Map<String, String> yaml) {
        if (!NAMES.contains(name)) throw new IllegalArgumentException("unknown setting " + name);
        String variable = "VANE_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
        if (env.containsKey(variable)) return Optional.of(new Configured(env.get(variable), variable));
        if (yaml.containsKey(name)) return Optional.of(new Configured(yaml.get(name), "vane." + name));
        return Optional.ofNullable(defaultValues().get(name)).map(v -> new Configured(v, "default"));
    }

    /**
     * Every setting from the environment over the YAML values over the defaults, with no flags
     * (the server started without the command line, e.g. in a container).
     */
    public static ServerSettings configured(Map<String, String> env, Map<String, String> yaml) {
        java.util.function.Function<String, String> get = name -> configured(name, env, yaml).map(Configured::value).orElse(null);
        return new ServerSettings(Path.of(get.apply("model")), get.apply("host"), integer("port", get.apply("port")),
                dtype(get.apply("dtype")), Backend.Request.parse(get.apply("backend")), WeightCache.parse(get.apply("weights-cache")), kvDType(get.apply("kv-dtype")),
                integer("threads", get.apply("threads")),
                integer("slots", get.apply("slots")), integer("context", get.apply("context")),
                integer("queue-limit", get.apply("queue-limit")), integer("prefill-chunk", get.apply("prefill-chunk")),
                number("max-body-bytes", get.apply("max-body-bytes")),
                new Admin(Path.of(get.apply("artifacts")), get.apply("admin-host"), integer("admin-port", get.apply("admin-port")),
                        Optional.ofNullable(get.apply("admin-token")), number("max-artifact-bytes", get.apply("max-artifact-bytes")),
                        Optional.ofNullable(get.apply("profiles")).map(Path::of)),
                bool("access-log", get.apply("access-log")),
                Http.of(integer("max-connections", get.apply("max-connections")), number("header-timeout", get.apply("header-timeout")),
                        number("body-timeout", get.apply("body-timeout")), number("idle-timeout", get.apply("idle-timeout")),
                        Optional.ofNullable(get.apply("api-key"))),
                requestTimeout(get.apply("request-timeout")), Duration.ofSeconds(number("drain-timeout", get.apply("drain-timeout"))),
                grpcPort(get.apply("grpc-port")),
                attention(get.apply("attention"), bool("force-attention", get.apply("force-attention")),
                        get.apply("attention-algorithm"), get.apply("attention-log-n")));
    }

    /**
     * {@code --attention auto|softmax|lssa:L|lssar:L:P|sigmoid:B} (auto: the checkpoint's own),
     * {@code --force-attention}, {@code --attention-algorithm reference|online|two_pass},
     * {@code --attention-log-n off|L} (log-n query scaling of a softmax model trained at length L).
     */
    public static AttentionChoice attention(String kind, boolean force, String algorithm, String logN) {
        Optional<AttentionKind> k = autoOr("attention", "auto, softmax, lssa:LENGTH, lssar:LENGTH:POWER or sigmoid:BIAS", kind, AttentionKind::parse);
        SoftmaxAlgorithm a;
        try {
            a = SoftmaxAlgorithm.parse(algorithm.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("attention-algorithm must be reference, online or two_pass, got '" + algorithm + "'");
        }
        LengthScale length = logN.trim().equals("off") ? LengthScale.NONE : logNScale(integer("attention-log-n", logN));
        return new AttentionChoice(k, force, new AttentionOptions(a, length));
    }

    private static LengthScale logNScale(int trainLength) {
        if (trainLength < 2) throw new IllegalArgumentException("attention-log-n must be off or a training length >= 2, got " + trainLength);
        return new LengthScale.LogN(trainLength);
    }

    /** {@code --grpc-port}: {@code off}, or a port (0 picks a free one). */
    public static OptionalInt grpcPort(String value) {
        return value.trim().equals("off") ? OptionalInt.empty() : OptionalInt.of(integer("grpc-port", value));
    }

    /** With the gRPC service on {@code port} (0 picks a free one). */
    public ServerSettings withGrpcPort(int port) {
        return new ServerSettings(model, host, this.port, dtype, backend, weightsCache, kvDType, threads, slots, context, queueLimit, prefillChunk, maxBodyBytes, admin, accessLog, http, requestTimeout, drainTimeout, OptionalInt.of(port), attention);
    }

    /** {@code --request-timeout}: whole seconds, 0 for none. */
    public static Optional<Duration> requestTimeout(String value) {
        return requestTimeout(number("request-timeout", value));
    }

    /** {@code --request-timeout} of {@code seconds}, 0 for none. */
    public static Optional<Duration> requestTimeout(long seconds) {
        if (seconds < 0) throw new IllegalArgumentException("request-timeout must be >= 0 seconds (0: none), got " + seconds);
        return seconds == 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    }

    /** {@code auto} (empty: the checkpoint's), {@code f16}, {@code f32}, {@code q8_0} or {@code q4_0}. */
    public static Optional<ComputeDType> dtype(String value) {
        return autoOr("dtype", "auto, f16, f32, q8_0, q4_0 or q4_k", value, ComputeDType::parse);
    }

    /** {@code auto} (empty: the backend's own, f16 on the Java decoder), {@code f16} or {@code f32}. */
    public static Optional<KvDType> kvDType(String value) {
        return autoOr("kv-dtype", "auto, f16 or f32", value, KvDType::parse);
    }

    /** Empty for {@code auto}, else {@code parse(value)}; a bad value names the setting and its choices. */
    private static <T> Optional<T> autoOr(String setting, String choices, String value, java.util.function.Function<String, T> parse) {
        if (value.equalsIgnoreCase("auto")) return Optional.empty();
        try {
            return Optional.of(parse.apply(value));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + " must be " + choices + ", got '" + value + "'");
        }
    }

    private static boolean bool(String setting, String value) {
        return switch (value.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(setting + " must be true or false, got '" + value + "'");
        };
    }

    private static int integer(String setting, String value) {
        long v = number(setting, value);
        if (v != (int) v) throw new IllegalArgumentException(setting + " is out of range: " + value);
        return (int) v;
    }

    private static long number(String setting, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(setting + " must be an integer, got '" + value + "'");
        }
    }

    public ServerSettings withPort(int port) {
        return new ServerSettings(model, host, port, dtype, backend, weightsCache, kvDType, threads, slots, context, queueLimit, prefillChunk, maxBodyBytes, admin, accessLog, http, requestTimeout, drainTimeout, grpcPort, attention);
    }

    public ServerSettings withEngine(ComputeDType dtype, int threads, int slots, int context) {
        return new ServerSettings(model, host, port, Optional.of(dtype), backend, weightsCache, kvDType, threads, slots, context, queueLimit, prefillChunk, maxBodyBytes, admin, accessLog, http, requestTimeout, drainTimeout, grpcPort, attention);
    }

    public ServerSettings withAdmin(Admin admin) {
        return new ServerSettings(model, host, port, dtype, backend, weightsCache, kvDType, threads, slots, context, queueLimit, prefillChunk, maxBodyBytes, admin, accessLog, http, requestTimeout, drainTimeout, grpcPort, attention);
    }

    public ServerSettings withAccessLog(boolean accessLog) {
        return new ServerSettings(model, host, port, dtype, backend, weightsCache, kvDType, threads, slots, context, queueLimit, prefillChunk, maxBodyBytes, admin, accessLog, http, requestTimeout, drainTimeout, grpcPort, attention);
    }

    public ServerSettings withHttp(Http http) {
        return new ServerSettings(model, host, port, dtype, backend, weightsCache, kvDType, threads, slots, context, queueLimit, prefillChunk, maxBodyBytes, admin, accessLog, http, requestTimeout, drainTimeout, grpcPort, attention);
    }

    public ServerSettings withRequestTimeout(Optional<Duration> requestTimeout) {
        return new ServerSettings(model, host, port, dtype, backend, weightsCache, kvDType, threads, slots, context, queueLimit, prefillChunk, maxBodyBytes, admin, accessLog, http, requestTimeout, drainTimeout, grpcPort, attention);
    }

    public ServerSettings withAttention(AttentionChoice attention) {
        return new ServerSettings(model, host, port, dtype, backend, weightsCache, kvDType, threads, slots, context, queueLimit, prefillChunk, maxBodyBytes, admin, accessLog, http, requestTimeout, drainTimeout, grpcPort, attention);
    }

    public ServerSettings withDrainTimeout(Duration drainTimeout) {
        return new ServerSettings(model, host, port, dtype, backend, weightsCache, kvDType, threads, slots, context, queueLimit, prefillChunk, maxBodyBytes, admin, accessLog, http, requestTimeout, drainTimeout, grpcPort, attention);
    }

    public ServerSettings withQueueLimit(int queueLimit) {
        return new ServerSettings(model, host, port, dtype, backend, weightsCache, kvDType, threads, slots, context, queueLimit, prefillChunk, maxBodyBytes, admin, accessLog, http, requestTimeout, drainTimeout, grpcPort, attention);
    }

    /**
     * Reads the {@code vane:} section of a YAML file ({@code application.yaml} by default) as flag
     * names to values; a missing file gives an empty map, an unknown key an error naming it.
     */
    public static Map<String, String> yaml(Path file) {
        if (!java.nio.file.Files.exists(file)) return Map.of();
        io.helidon.config.Config config;
        try {
            config = io.helidon.config.Config.just(io.helidon.config.ConfigSources.file(file));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        Map<String, String> values = config.get("vane").detach().asMap().orElse(Map.of());
        for (String k : values.keySet())
            if (!NAMES.contains(k)) throw new IllegalArgumentException(file + ": unknown key vane." + k);
        return values;
    }
}
