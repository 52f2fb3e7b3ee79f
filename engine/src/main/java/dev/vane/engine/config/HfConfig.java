package dev.vane.engine.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.attention.AttentionKind;
import dev.vane.attention.RopeScaling;
import dev.vane.engine.weights.CheckpointException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** The boundary between Hugging Face {@code config.json} names and {@link ModelConfig}. */
public final class HfConfig {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HfConfig() {}

    /** Reads {@code dir/config.json}; every problem names the file and the key. */
    public static ModelConfig read(Path dir) {
        Path file = dir.resolve("config.json");
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": file not found");
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file + ": malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new CheckpointException(file + ": expected a JSON object");
        try {
            return parse(root, file);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
    }

    static ModelConfig parse(JsonNode c, Path file) {
        JsonNode archs = c.path("architectures");
        if (!archs.isArray() || archs.isEmpty())
            throw new IllegalArgumentException("missing 'architectures'");
        String archName = archs.get(0).asText();
        Architecture arch = Architecture.fromHfName(archName).orElseThrow(() -> new IllegalArgumentException(
                "unknown architecture '" + archName + "' (supported: LlamaForCausalLM, MistralForCausalLM, "
                        + "Qwen2ForCausalLM, Qwen3ForCausalLM)"));
        int hidden = requiredInt(c, "hidden_size");
        int heads = requiredInt(c, "num_attention_heads");
        int kvHeads = c.hasNonNull("num_key_value_heads") ? requiredInt(c, "num_key_value_heads") : heads;
        int headDim = c.hasNonNull("head_dim") ? requiredInt(c, "head_dim") : hidden / heads;

        OptionalInt window = OptionalInt.empty();
        int windowFrom = 0;
        boolean useWindow = switch (arch) {
            case MISTRAL -> c.hasNonNull("sliding_window");
            case QWEN2, QWEN3 -> c.path("use_sliding_window").asBoolean(false) && c.hasNonNull("sliding_window");
            case LLAMA -> false;
        };
        if (useWindow) {
            window = OptionalInt.of(requiredInt(c, "sliding_window"));
            if (arch != Architecture.MISTRAL) windowFrom = c.path("max_window_layers").asInt(0);
        }

        return new ModelConfig(arch,
                requiredInt(c, "vocab_size"),
                hidden,
                requiredInt(c, "intermediate_size"),
                requiredInt(c, "num_hidden_layers"),
                heads,
                kvHeads,
                headDim,
                c.path("rms_norm_eps").asDouble(1e-6),
                c.path("rope_theta").asDouble(10000.0),
                ropeScaling(c.path("rope_scaling")),
                c.path("max_position_embeddings").asInt(2048),
                c.path("tie_word_embeddings").asBoolean(false),
                c.path("attention_bias").asBoolean(false),
                window,
                windowFrom,
                c.hasNonNull("bos_token_id") ? OptionalInt.of(c.get("bos_token_id").asInt()) : OptionalInt.empty(),
                intList(c.path("eos_token_id")),
                attention(c.path("vane_attention")),
                beacon(c));
    }

    /**
     * The {@code beacon_*} fields of a checkpoint with Activation Beacon parameters (absent
     * {@code beacon_window}: none). Defaults are those of the reference implementation; settings of
     * another layout than interleaved beacons with full-coverage attention are refused by name.
     */
    private static Optional<BeaconConfig> beacon(JsonNode c) {
        if (!c.hasNonNull("beacon_window")) return Optional.empty();
        int window = requiredInt(c, "beacon_window");
        if (c.hasNonNull("beacon_stride")) {
            JsonNode s = c.get("beacon_stride");
            int stride = s.isArray() && s.size() == 1 ? s.get(0).asInt() : s.isInt() ? s.asInt() : -1;
            if (stride != window)
                throw new IllegalArgumentException("beacon_stride must equal beacon_window (" + window + ") for interleaved beacons, got " + s);
        }
        String pos = c.path("beacon_pos").asText("interleave");
        if (!pos.equals("interleave")) throw new IllegalArgumentException("beacon_pos '" + pos + "' is not supported (only interleave)");
        String attn = c.path("beacon_attn").asText("full-coverage");
        if (!attn.equals("full-coverage"))
            throw new IllegalArgumentException("beacon_attn '" + attn + "' is not supported (only full-coverage)");
        JsonNode ratio = c.path("beacon_ratio");
        // as the reference does, ratios the window cannot run (0 = uncompressed windows, non-divisors) are left out
        List<Integer> ratios = (ratio.isMissingNode() || ratio.isNull() ? List.of(2, 4, 8, 16, 32) : intList(ratio)).stream()
                .filter(r -> BeaconConfig.runs(r, window)).toList();
        if (ratios.isEmpty()) throw new IllegalArgumentException("beacon_ratio lists no power of two ≥ 2 dividing beacon_window " + window + ": " + ratio);
        java.util.EnumSet<BeaconConfig.Projection> params = java.util.EnumSet.noneOf(BeaconConfig.Projection.class);
        for (JsonNode p : c.path("beacon_param")) {
            String id = p.asText();
            params.add(java.util.Arrays.stream(BeaconConfig.Projection.values()).filter(x -> x.id().equals(id)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("beacon_param: unknown projection '" + id + "' (q, k, v, o)")));
        }
        return Optional.of(new BeaconConfig(window, ratios, c.path("beacon_sink_size").asInt(0), params));
    }

    /**
     * {@code vane_attention}, written by our trainer for a model trained with another kernel than
     * softmax: {@code {"kind": "lssa"|"lssar"|"sigmoid"|"softmax", "train_length": N, "power": p, "bias": b}}.
     */
    private static AttentionKind attention(JsonNode a) {
        if (a.isMissingNode() || a.isNull()) return AttentionKind.SOFTMAX;
        if (!a.isObject()) throw new IllegalArgumentException("'vane_attention' must be an object");
        String kind = a.path("kind").asText("");
        try {
            if (kind.equals("sigmoid") && a.hasNonNull("bias")) return new AttentionKind.Sigmoid(requiredDouble(a, "bias"));
            if (kind.equals("softmax")) return AttentionKind.SOFTMAX;
            if (!kind.equals("lssa") && !kind.equals("lssar") && !kind.equals("sigmoid"))
                throw new IllegalArgumentException("kind must be softmax, lssa, lssar or sigmoid, got '" + kind + "'");
            return AttentionKind.named(kind, requiredInt(a, "train_length"), kind.equals("lssar") ? requiredDouble(a, "power") : 1);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("vane_attention: " + e.getMessage(), e);
        }
    }

    private static RopeScaling ropeScaling(JsonNode rs) {
        if (rs.isMissingNode() || rs.isNull()) return RopeScaling.NONE;
        String type = rs.path("rope_type").asText(rs.path("type").asText("default"));
        return switch (type) {
            case "default" -> RopeScaling.NONE;
            case "llama3" -> new RopeScaling.Llama3(
                    requiredDouble(rs, "factor"), requiredDouble(rs, "low_freq_factor"),
                    requiredDouble(rs, "high_freq_factor"), requiredInt(rs, "original_max_position_embeddings"));
            default -> throw new IllegalArgumentException("unsupported rope_scaling type '" + type + "'");
        };
    }

    private static int requiredInt(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) throw new IllegalArgumentException("missing '" + key + "'");
        if (!v.canConvertToInt()) throw new IllegalArgumentException("'" + key + "' must be an integer, got " + v);
        return v.asInt();
    }

    private static double requiredDouble(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.isNumber()) throw new IllegalArgumentException("missing or non-numeric '" + key + "'");
        return v.asDouble();
    }

    private static List<Integer> intList(JsonNode n) {
        List<Integer> out = new ArrayList<>();
        if (n.isInt()) out.add(n.asInt());
        else if (n.isArray()) n.forEach(e -> out.add(e.asInt()));
        return out;
    }

    /** The {@code config.json} that describes {@code cfg} (used by the fixture writer and trainer). */
    public static ObjectNode toJson(ModelConfig cfg, String torchDtype) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add(cfg.architecture().hfName());
        c.put("model_type", switch (cfg.architecture()) {
            case LLAMA -> "llama";
            case MISTRAL -> "mistral";
            case QWEN2 -> "qwen2";
            case QWEN3 -> "qwen3";
        });
        c.put("vocab_size", cfg.vocabSize());
        c.put("hidden_size", cfg.hiddenSize());
        c.put("intermediate_size", cfg.intermediateSize());
        c.put("num_hidden_layers", cfg.numLayers());
        c.put("num_attention_heads", cfg.numHeads());
        c.put("num_key_value_heads", cfg.numKvHeads());
        c.put("head_dim", cfg.headDim());
        c.put("hidden_act", "silu");
        c.put("rms_norm_eps", cfg.rmsNormEps());
        c.put("rope_theta", cfg.ropeTheta());
        if (cfg.ropeScaling() instanceof RopeScaling.Llama3 s) {
            ObjectNode rs = c.putObject("rope_scaling");
            rs.put("rope_type", "llama3");
            rs.put("factor", s.factor());
            rs.put("low_freq_factor", s.lowFreqFactor());
            rs.put("high_freq_factor", s.highFreqFactor());
            rs.put("original_max_position_embeddings", s.originalMaxPositions());
        } else {
            c.putNull("rope_scaling");
        }
        c.put("max_position_embeddings", cfg.maxPositionEmbeddings());
        c.put("tie_word_embeddings", cfg.tieWordEmbeddings());
        c.put("attention_bias", cfg.qkvBias());
        if (cfg.slidingWindow().isPresent()) {
            c.put("sliding_window", cfg.slidingWindow().getAsInt());
            if (cfg.architecture() != Architecture.MISTRAL) {
                c.put("use_sliding_window", true);
                c.put("max_window_layers", cfg.slidingWindowFromLayer());
            }
        } else if (cfg.architecture() == Architecture.MISTRAL) {
            c.putNull("sliding_window");
        }
        cfg.bosTokenId().ifPresent(b -> c.put("bos_token_id", b));
        if (cfg.eosTokenIds().size() == 1) c.put("eos_token_id", cfg.eosTokenIds().get(0));
        else if (!cfg.eosTokenIds().isEmpty()) {
            ArrayNode a = c.putArray("eos_token_id");
            cfg.eosTokenIds().forEach(a::add);
        }
        switch (cfg.attention()) {
            case AttentionKind.Softmax s -> { }
            case AttentionKind.Softplus s -> {
                ObjectNode a = c.putObject("vane_attention");
                a.put("kind", s.id());
                a.put("train_length", s.trainLength());
                if (s.power() != 1) a.put("power", s.power());
            }
            case AttentionKind.Sigmoid s -> c.putObject("vane_attention").put("kind", s.id()).put("bias", s.bias());
        }
        cfg.beacon().ifPresent(b -> {
            c.put("beacon_window", b.window());
            c.put("beacon_stride", b.window());
            b.ratios().forEach(c.putArray("beacon_ratio")::add);
            c.put("beacon_pos", "interleave");
            c.put("beacon_attn", "full-coverage");
            c.put("beacon_sink_size", b.sinkSize());
            ArrayNode p = c.putArray("beacon_param");
            b.projections().stream().sorted().forEach(x -> p.add(x.id()));
        });
        c.put("torch_dtype", torchDtype);
        return c;
    }

    public static String toJsonString(ModelConfig cfg, String torchDtype) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(cfg, torchDtype));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
