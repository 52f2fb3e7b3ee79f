package dev.vane.server;

import dev.vane.engine.model.ComputeDType;

import java.nio.file.Path;
import java.util.Map;

/**
 * Typed settings, built once at start-up from command-line flags, then environment variables
 * ({@code VANE_MODEL}, {@code VANE_PORT}, ...), then defaults.
 *
 * @param model   checkpoint directory
 * @param host    bind address
 * @param port    public port (0 picks a free one)
 * @param dtype   compute dtype of the projections
 * @param threads PyTorch intra-op threads
 * @param slots   concurrent sequences (KV cache slots)
 * @param context maximum sequence length
 */
public record ServerSettings(Path model, String host, int port, ComputeDType dtype, int threads, int slots, int context) {

    public static final Path DEFAULT_MODEL = Path.of("models", "default");

    public ServerSettings {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (slots < 1) throw new IllegalArgumentException("slots must be >= 1, got " + slots);
        if (context < 2) throw new IllegalArgumentException("context must be >= 2, got " + context);
    }

    /** Parses {@code --key value} flags over environment variables over defaults. */
    public static ServerSettings parse(String[] args, Map<String, String> env) {
        Map<String, String> flags = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || i + 1 >= args.length)
                throw new IllegalArgumentException("expected --flag value, got '" + a + "'");
            flags.put(a.substring(2), args[++i]);
        }
        java.util.function.BiFunction<String, String, String> get = (key, def) -> flags.getOrDefault(key,
                env.getOrDefault("VANE_" + key.toUpperCase().replace('-', '_'), def));
        ServerSettings s = new ServerSettings(
                Path.of(get.apply("model", DEFAULT_MODEL.toString())),
                get.apply("host", "127.0.0.1"),
                Integer.parseInt(get.apply("port", "8080")),
                ComputeDType.parse(get.apply("dtype", "f32")),
                Integer.parseInt(get.apply("threads", String.valueOf(Runtime.getRuntime().availableProcessors()))),
                Integer.parseInt(get.apply("slots", "8")),
                Integer.parseInt(get.apply("context", "1024")));
        for (String k : flags.keySet())
            if (!java.util.Set.of("model", "host", "port", "dtype", "threads", "slots", "context").contains(k))
                throw new IllegalArgumentException("unknown flag --" + k);
        return s;
    }
}
