package dev.vane.engine.config;

import dev.vane.attention.RopeScaling;
import dev.vane.engine.gguf.GgufException;
import dev.vane.engine.gguf.GgufFile;
import dev.vane.engine.gguf.GgufTensorInfo;
import dev.vane.engine.gguf.GgufValue;
import dev.vane.engine.weights.CheckpointException;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The boundary between a GGUF file's metadata ({@code general.architecture},
 * {@code llama.embedding_length}, …) and {@link ModelConfig}, as {@link HfConfig} is for
 * {@code config.json}. Every problem names the file and the key.
 *
 * <p>Architectures: {@code llama} (Llama and Mistral files), {@code qwen2}, {@code qwen3}. Llama 3's
 * frequency scaling arrives as the tensor {@code rope_freqs.weight} (a divisor per frequency),
 * linear scaling as {@code ARCH.rope.scaling.type = linear} with its factor.
 */
public final class GgufConfig {

    private GgufConfig() {}

    /** The architectures read, by their {@code general.architecture} name. */
    private static final Map<String, Architecture> ARCHITECTURES = Map.of(
            "llama", Architecture.LLAMA, "qwen2", Architecture.QWEN2, "qwen3", Architecture.QWEN3);

    public static ModelConfig read(GgufFile g) {
        try {
            return parse(g);
        } catch (IllegalArgumentException | GgufException | ArithmeticException e) {
            throw new CheckpointException(g.path() + ": " + e.getMessage(), e);
        }
    }

    private static ModelConfig parse(GgufFile g) {
        String archName = g.string("general.architecture");
        Architecture arch = ARCHITECTURES.get(archName);
        if (arch == null)
            throw new IllegalArgumentException("unsupported architecture '" + archName + "' (supported: llama, qwen2, qwen3)");
        String a = archName + ".";
        int hidden = g.integer(a + "embedding_length");
        int heads = g.integer(a + "attention.head_count");
        int kvHeads = g.metadata().containsKey(a + "attention.head_count_kv") ? g.integer(a + "attention.head_count_kv") : heads;
        if (heads <= 0) throw new IllegalArgumentException("'" + a + "attention.head_count' must be > 0, got " + heads);
        int headDim = g.metadata().containsKey(a + "attention.key_length") ? g.integer(a + "attention.key_length") : hidden / heads;
        GgufTensorInfo embed = g.tensors().get("token_embd.weight");
        if (embed == null) throw new IllegalArgumentException("missing tensor 'token_embd.weight'");
        if (embed.dims().length != 2) throw new IllegalArgumentException("token_embd.weight is not 2-d");
        int vocab = Math.toIntExact(embed.dims()[1]);
        OptionalInt bos = g.metadata().containsKey("tokenizer.ggml.bos_token_id")
                ? OptionalInt.of(g.integer("tokenizer.ggml.bos_token_id")) : OptionalInt.empty();
        List<Integer> eos = g.metadata().containsKey("tokenizer.ggml.eos_token_id")
                ? List.of(g.integer("tokenizer.ggml.eos_token_id")) : List.of();
        return new ModelConfig(arch,
                vocab,
                hidden,
                g.integer(a + "feed_forward_length"),
                g.integer(a + "block_count"),
                heads,
                kvHeads,
                headDim,
                number(g, a + "attention.layer_norm_rms_epsilon", 1e-6),
                number(g, a + "rope.freq_base", 10000.0),
                ropeScaling(g, a, headDim),
                g.metadata().containsKey(a + "context_length") ? g.integer(a + "context_length") : 2048,
                !g.tensors().containsKey("output.weight"),
                g.tensors().containsKey("blk.0.attn_q.bias") && arch != Architecture.QWEN2,
                OptionalInt.empty(),
                0,
                bos,
                eos);
    }

    private static RopeScaling ropeScaling(GgufFile g, String a, int headDim) {
        if (g.tensors().containsKey("rope_freqs.weight")) {
            float[] f = g.floats("rope_freqs.weight");
            if (f.length != headDim / 2)
                throw new IllegalArgumentException("rope_freqs.weight has " + f.length + " values, expected head_dim/2 = " + headDim / 2);
            return new RopeScaling.Divisors(f);
        }
        GgufValue type = g.metadata().get(a + "rope.scaling.type");
        String t = type == null ? "none" : type.asString().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "none" -> RopeScaling.NONE;
            case "linear" -> {
                double factor = number(g, a + "rope.scaling.factor", 1.0);
                float[] d = new float[headDim / 2];
                java.util.Arrays.fill(d, (float) factor);
                yield new RopeScaling.Divisors(d);
            }
            default -> throw new IllegalArgumentException(a + "rope.scaling.type '" + t + "' is not supported (none, linear, rope_freqs.weight)");
        };
    }

    private static double number(GgufFile g, String key, double fallback) {
        GgufValue v = g.metadata().get(key);
        if (v == null) return fallback;
        return switch (v.value()) {
            case Float f -> f;
            case Double d -> d;
            case Long l -> l;
            default -> throw new IllegalArgumentException("'" + key + "' must be a number, got " + v.type());
        };
    }
}
