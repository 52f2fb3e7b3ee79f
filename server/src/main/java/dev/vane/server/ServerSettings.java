package dev.vane.server;

import dev.vane.engine.model.Backend;
import dev.vane.engine.model.ComputeDType;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Typed settings, built once at start-up from command-line flags, then environment variables
 * ({@code VANE_MODEL}, {@code VANE_PORT}, {@code VANE_QUEUE_LIMIT}, ...), then the {@code vane:}
 * section of {@code application.yaml} (same keys as the flags), then defaults.
 *
 * @param model        checkpoint directory
 * @param host         bind address
 * @param port         public port (0 picks a free one)
 * @param dtype        compute dtype of the projections; empty ({@code auto}): the checkpoint's
 * @param backend      which decoder runs the model ({@code auto}: the Java kernels where they can)
 * @param threads      threads of that decoder
 * @param slots        concurrent sequences (KV cache slots)
 * @param context      maximum sequence length
 * @param queueLimit   sequences waiting for a slot before requests get 429
 * @param prefillChunk prompt tokens per prefill step (long prompts do not stall running decodes)
 * @param maxBodyBytes largest accepted request body; larger ones get 413
 * @param admin        the steering registry and the admin API
 * @param accessLog    whether every HTTP request is logged (Helidon's access log, logger
 *                     {@code io.helidon.webserver.AccessLog}); a bare {@code --access-log} means true
 */
public record ServerSettings(Path model, String host, int port, Optional<ComputeDType> dtype, Backend.Request backend,
                             int threads, int slots, int context, int queueLimit, int prefillChunk, long maxBodyBytes,
                             Admin admin, boolean accessLog) {

    /**
     * @param artifacts        the artifact registry directory (created when missing)
     * @param port             admin API port (0 picks a free one)
     * @param token            bearer token of the admin API; none = admin API disabled
     * @param maxArtifactBytes largest artifact accepted by upload or load
     * @param profiles         a JSON file of steering profiles loaded at start
     *                         ({@code {"profiles": [...], "default_profile": name, "enabled": bool}})
     */
    public record Admin(Path artifacts, int port, Optional<String> token, long maxArtifactBytes, Optional<Path> profiles) {
        public Admin {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("admin-port must be in 0..65535, got " + port);
            if (maxArtifactBytes < 1) throw new IllegalArgumentException("max-artifact-bytes must be >= 1");
            token = token.filter(t -> !t.isEmpty());
            token.ifPresent(t -> {
                if (t.length() < 16) throw new IllegalArgumentException("admin-token must be at least 16 characters");
            });
        }

        @Override
        public String toString() {
            return "Admin[artifacts=" + artifacts + ", port=" + port + ", token=" + (token.isPresent() ? "(set)" : "(none)")
                    + ", maxArtifactBytes=" + maxArtifactBytes + ", profiles=" + profiles + "]";
        }
    }

    public static final Path DEFAULT_MODEL = Path.of("models", "demo");
    public static final Path DEFAULT_CONFIG = Path.of("application.yaml");
    private static final Set<String> FLAGS = Set.of("model", "host", "port", "dtype", "backend", "threads", "slots", "context",
            "queue-limit", "prefill-chunk", "max-body-bytes", "artifacts", "admin-port", "admin-token", "max-artifact-bytes", "profiles",
            "access-log");

    public ServerSettings {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (slots < 1) throw new IllegalArgumentException("slots must be >= 1, got " + slots);
        if (context < 2) throw new IllegalArgumentException("context must be >= 2, got " + context);
        if (queueLimit < 0) throw new IllegalArgumentException("queue-limit must be >= 0, got " + queueLimit);
        if (prefillChunk < 1) throw new IllegalArgumentException("prefill-chunk must be >= 1, got " + prefillChunk);
        if (maxBodyBytes < 1) throw new IllegalArgumentException("max-body-bytes must be >= 1, got " + maxBodyBytes);
    }

    /** Defaults for everything but the model directory. */
    public static ServerSettings defaults(Path model) {
        return parse(new String[] {"--model", model.toString()}, Map.of());
    }

    public ServerSettings withPort(int port) {
        return new ServerSettings(model, host, port, dtype, backend, threads, slots, context, queueLimit, prefillChunk, maxBodyBytes, admin, accessLog);
    }

    public ServerSettings withEngine(ComputeDType dtype, int threads, int slots, int context) {
        return new ServerSettings(model, host, port, Optional.of(dtype), backend, threads, slots, context, queueLimit, prefillChunk, maxBodyBytes, admin, accessLog);
    }

    public ServerSettings withAdmin(Admin admin) {
        return new ServerSettings(model, host, port, dtype, backend, threads, slots, context, queueLimit, prefillChunk, maxBodyBytes, admin, accessLog);
    }

    public ServerSettings withAccessLog(boolean accessLog) {
        return new ServerSettings(model, host, port, dtype, backend, threads, slots, context, queueLimit, prefillChunk, maxBodyBytes, admin, accessLog);
    }

    public ServerSettings withQueueLimit(int queueLimit) {
        return new ServerSettings(model, host, port, dtype, backend, threads, slots, context, queueLimit, prefillChunk, maxBodyBytes, admin, accessLog);
    }

    /** Parses {@code --key value} flags over environment variables over defaults. */
    public static ServerSettings parse(String[] args, Map<String, String> env) {
        return parse(args, env, Map.of());
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
            if (!FLAGS.contains(k)) throw new IllegalArgumentException(file + ": unknown key vane." + k);
        return values;
    }

    /** Flags over environment variables over the YAML values over defaults. */
    public static ServerSettings parse(String[] args, Map<String, String> env, Map<String, String> yaml) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--access-log") && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
                flags.put("access-log", "true"); // a switch: bare means on
                continue;
            }
            if (!a.startsWith("--") || i + 1 >= args.length)
                throw new IllegalArgumentException("expected --flag value, got '" + a + "'");
            flags.put(a.substring(2), args[++i]);
        }
        for (String k : flags.keySet())
            if (!FLAGS.contains(k)) throw new IllegalArgumentException("unknown flag --" + k);
        BiFunction<String, String, String> get = (key, def) -> flags.getOrDefault(key,
                env.getOrDefault("VANE_" + key.toUpperCase().replace('-', '_'), yaml.getOrDefault(key, def)));
        return new ServerSettings(
                Path.of(get.apply("model", DEFAULT_MODEL.toString())),
                get.apply("host", "127.0.0.1"),
                integer("port", get.apply("port", "8080")),
                dtype(get.apply("dtype", "auto")),
                Backend.Request.parse(get.apply("backend", "auto")),
                integer("threads", get.apply("threads", String.valueOf(Runtime.getRuntime().availableProcessors()))),
                integer("slots", get.apply("slots", "8")),
                integer("context", get.apply("context", "1024")),
                integer("queue-limit", get.apply("queue-limit", "64")),
                integer("prefill-chunk", get.apply("prefill-chunk", "256")),
                number("max-body-bytes", get.apply("max-body-bytes", String.valueOf(1 << 20))),
                new Admin(Path.of(get.apply("artifacts", "artifacts")),
                        integer("admin-port", get.apply("admin-port", "8081")),
                        Optional.ofNullable(get.apply("admin-token", null)),
                        number("max-artifact-bytes", get.apply("max-artifact-bytes", String.valueOf(64L << 20))),
                        Optional.ofNullable(get.apply("profiles", null)).map(Path::of)),
                bool("access-log", get.apply("access-log", "false")));
    }

    private static boolean bool(String flag, String value) {
        return switch (value.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(flag + " must be true or false, got '" + value + "'");
        };
    }

    private static Optional<ComputeDType> dtype(String value) {
        if (value.equalsIgnoreCase("auto")) return Optional.empty();
        try {
            return Optional.of(ComputeDType.parse(value));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dtype must be auto, f16 or f32, got '" + value + "'");
        }
    }

    private static int integer(String flag, String value) {
        long v = number(flag, value);
        if (v != (int) v) throw new IllegalArgumentException(flag + " is out of range: " + value);
        return (int) v;
    }

    private static long number(String flag, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be an integer, got '" + value + "'");
        }
    }
}
