package dev.vane.lab.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.attention.Rope;
import dev.vane.attention.RopeScaling;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.generate.GenerationDefaults;
import dev.vane.engine.gguf.GgmlType;
import dev.vane.engine.gguf.GgufWriter;
import dev.vane.engine.kernel.Q4Gemv;
import dev.vane.engine.kernel.Q8Gemv;
import dev.vane.engine.model.HfNames;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.engine.weights.CheckpointReader;
import dev.vane.engine.weights.GgufWeights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code vane convert --out FILE.gguf}: writes a Hugging Face checkpoint directory as one GGUF v3
 * file that Vane and llama.cpp both load: the geometry as {@code ARCH.*} metadata, the tokenizer
 * ({@code tokenizer.ggml.*}: BPE tokens, types, merges, pre-tokeniser name, special ids, chat
 * template), Llama 3 RoPE scaling as {@code rope_freqs.weight}, and the tensors under GGUF names
 * ({@link GgufWeights#ggufName}). Matrices are written in the requested type (F32, F16, Q8_0 or
 * Q4_0, quantised from the checkpoint's own values by {@link Q8Gemv#quantize} and
 * {@link Q4Gemv#quantize}); vectors in F32. For the
 * {@code llama} architecture the rows of q and k are interleaved per head as llama.cpp's RoPE
 * expects (the inverse of what {@link GgufWeights} undoes). Tensors stream to the file one at a time.
 */
public final class GgufExport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GgufExport() {}

    public static void run(Path in, Path out, GgmlType type) throws IOException {
        if (type == GgmlType.BF16)
            throw new IllegalArgumentException("GGUF matrices are written as f32, f16, q8_0 or q4_0, not " + type);
        ModelConfig c = HfConfig.read(in);
        if (c.slidingWindow().isPresent())
            throw new IllegalArgumentException("sliding-window attention is not written to GGUF");
        if (!(c.attention() instanceof dev.vane.attention.AttentionKind.Softmax))
            throw new IllegalArgumentException("this model was trained with " + c.attention().id()
                    + " attention; GGUF has no field for it, and llama.cpp computes softmax");
        String arch = switch (c.architecture()) {
            case LLAMA, MISTRAL -> "llama";
            case QWEN2 -> "qwen2";
            case QWEN3 -> "qwen3";
        };
        boolean interleave = arch.equals("llama");
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", arch)
                .putString("general.name", in.toAbsolutePath().normalize().getFileName().toString())
                .putUint32("general.file_type", switch (type) { case F32 -> 0; case F16 -> 1; case Q4_0 -> 2; default -> 7; })
                .alignment(32);
        String a = arch + ".";
        w.putUint32(a + "context_length", c.maxPositionEmbeddings())
                .putUint32(a + "embedding_length", c.hiddenSize())
                .putUint32(a + "block_count", c.numLayers())
                .putUint32(a + "feed_forward_length", c.intermediateSize())
                .putUint32(a + "rope.dimension_count", c.headDim())
                .putUint32(a + "attention.head_count", c.numHeads())
                .putUint32(a + "attention.head_count_kv", c.numKvHeads())
                .putUint32(a + "attention.key_length", c.headDim())
                .putUint32(a + "attention.value_length", c.headDim())
                .putFloat32(a + "attention.layer_norm_rms_epsilon", (float) c.rmsNormEps())
                .putFloat32(a + "rope.freq_base", (float) c.ropeTheta())
                .putUint32(a + "vocab_size", c.vocabSize());
        tokenizer(in, c, w);
        sampling(in, w);

        try (CheckpointReader r = CheckpointReader.open(in)) {
            if (c.ropeScaling() instanceof RopeScaling.Llama3) {
                float[] plain = Rope.inverseFrequencies(c.headDim(), c.ropeTheta(), RopeScaling.NONE);
                float[] scaled = Rope.inverseFrequencies(c.headDim(), c.ropeTheta(), c.ropeScaling());
                float[] divisors = new float[plain.length];
                for (int i = 0; i < plain.length; i++) divisors[i] = (float) ((double) plain[i] / scaled[i]);
                w.addTensor("rope_freqs.weight", GgmlType.F32, divisors, divisors.length);
            }
            int d = c.hiddenSize(), dh = c.headDim(), h = c.numHeads(), g = c.numKvHeads(), ff = c.intermediateSize();
            matrix(w, r, HfNames.EMBED, c.vocabSize(), d, type, 0);
            for (int l = 0; l < c.numLayers(); l++) {
                vector(w, r, HfNames.layer(l, HfNames.INPUT_NORM), d, 0);
                matrix(w, r, HfNames.layer(l, HfNames.Q), h * dh, d, type, interleave ? dh : 0);
                matrix(w, r, HfNames.layer(l, HfNames.K), g * dh, d, type, interleave ? dh : 0);
                matrix(w, r, HfNames.layer(l, HfNames.V), g * dh, d, type, 0);
                matrix(w, r, HfNames.layer(l, HfNames.O), d, h * dh, type, 0);
                if (c.qkvBias()) {
                    vector(w, r, HfNames.layer(l, HfNames.Q_BIAS), h * dh, interleave ? dh : 0);
                    vector(w, r, HfNames.layer(l, HfNames.K_BIAS), g * dh, interleave ? dh : 0);
                    vector(w, r, HfNames.layer(l, HfNames.V_BIAS), g * dh, 0);
                }
                if (c.architecture().qkNorm()) {
                    vector(w, r, HfNames.layer(l, HfNames.Q_NORM), dh, 0);
                    vector(w, r, HfNames.layer(l, HfNames.K_NORM), dh, 0);
                }
                vector(w, r, HfNames.layer(l, HfNames.POST_NORM), d, 0);
                matrix(w, r, HfNames.layer(l, HfNames.GATE), ff, d, type, 0);
                matrix(w, r, HfNames.layer(l, HfNames.UP), ff, d, type, 0);
                matrix(w, r, HfNames.layer(l, HfNames.DOWN), d, ff, type, 0);
            }
            vector(w, r, HfNames.FINAL_NORM, d, 0);
            if (!c.tieWordEmbeddings() || r.has(HfNames.LM_HEAD)) matrix(w, r, HfNames.LM_HEAD, c.vocabSize(), d, type, 0);
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            w.write(out); // the bodies read the checkpoint now, one tensor at a time
        }
    }

    /** The source row that goes to row {@code r} of the file: heads' halves interleaved when {@code headDim > 0}. */
    static int sourceRow(int r, int headDim) {
        if (headDim == 0) return r;
        int half = headDim / 2, head = r / headDim, within = r % headDim;
        return head * headDim + (within % 2) * half + within / 2;
    }

    private static String gguf(String hf) {
        return GgufWeights.ggufName(hf).orElseThrow(() -> new IllegalStateException("no GGUF name for " + hf));
    }

    private static void vector(GgufWriter w, CheckpointReader r, String hf, int n, int headDim) {
        w.addTensor(gguf(hf), GgmlType.F32, new long[] {n}, out -> {
            float[] v = r.floats(hf, new long[] {n});
            ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) b.putFloat(v[sourceRow(i, headDim)]);
            out.write(b.array());
        });
    }

    private static void matrix(GgufWriter w, CheckpointReader r, String hf, int rows, int cols, GgmlType type, int headDim) {
        w.addTensor(gguf(hf), type, new long[] {cols, rows}, out -> {
            float[] m = r.floats(hf, new long[] {rows, cols});
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(type.byteSize(cols))).order(ByteOrder.LITTLE_ENDIAN);
            short[] scales = new short[cols / Q8Gemv.QK];
            byte[] quants = new byte[cols];
            byte[] nibbles = new byte[cols / 2];
            for (int row = 0; row < rows; row++) {
                int at = sourceRow(row, headDim) * cols;
                b.clear();
                switch (type) {
                    case F32 -> { for (int i = 0; i < cols; i++) b.putFloat(m[at + i]); }
                    case F16 -> { for (int i = 0; i < cols; i++) b.putShort(Float.floatToFloat16(m[at + i])); }
                    case Q8_0 -> {
                        Q8Gemv.quantize(m, at, cols, scales, quants);
                        for (int k = 0; k < scales.length; k++) b.putShort(scales[k]).put(quants, k * Q8Gemv.QK, Q8Gemv.QK);
                    }
                    case Q4_0 -> {
                        Q4Gemv.quantize(m, at, cols, scales, nibbles);
                        for (int k = 0; k < scales.length; k++) b.putShort(scales[k]).put(nibbles, k * 16, 16);
                    }
                    default -> throw new IllegalStateException(type.name());
                }
                out.write(b.array(), 0, b.position());
            }
        });
    }

    /**
     * The sampling defaults of {@code generation_config.json} under llama.cpp's
     * {@code general.sampling.*} keys, so that the file alone serves as the checkpoint does.
     */
    private static void sampling(Path in, GgufWriter w) {
        GenerationDefaults.read(in).values().forEach((name, v) -> {
            String key = GenerationDefaults.GGUF_KEYS.get(name);
            if (v instanceof Integer i) w.putInt32(key, i);
            else w.putFloat32(key, v.floatValue());
        });
    }

    /** The {@code tokenizer.ggml.*} metadata from {@code tokenizer.json} (byte-level BPE) and {@code tokenizer_config.json}. */
    private static void tokenizer(Path in, ModelConfig c, GgufWriter w) throws IOException {
        Path file = in.resolve("tokenizer.json");
        if (!Files.exists(file)) return; // a weights-only file (benchmark presets); llama.cpp needs a vocabulary, Vane does not
        JsonNode t = JSON.readTree(file.toFile());
        JsonNode model = t.path("model");
        if (!"BPE".equals(model.path("type").asText()))
            throw new IllegalArgumentException(file + ": only BPE tokenizers are written to GGUF, not " + model.path("type").asText());
        Map<Integer, String> byId = new TreeMap<>();
        model.path("vocab").fields().forEachRemaining(e -> byId.put(e.getValue().asInt(), e.getKey()));
        Map<Integer, Integer> types = new TreeMap<>();
        for (JsonNode at : t.path("added_tokens")) {
            byId.put(at.path("id").asInt(), at.path("content").asText());
            types.put(at.path("id").asInt(), at.path("special").asBoolean(false) ? 3 : 4); // control : user-defined
        }
        List<String> tokens = new ArrayList<>();
        int[] tokenTypes = new int[c.vocabSize()];
        for (int i = 0; i < c.vocabSize(); i++) {
            tokens.add(byId.getOrDefault(i, "[PAD" + i + "]"));
            tokenTypes[i] = types.getOrDefault(i, byId.containsKey(i) ? 1 : 5); // normal, or unused
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges"))
            merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
        w.putString("tokenizer.ggml.model", "gpt2")
                .putString("tokenizer.ggml.pre", preTokenizer(t.path("pre_tokenizer").toString()))
                .putStringArray("tokenizer.ggml.tokens", tokens)
                .putInt32Array("tokenizer.ggml.token_type", tokenTypes)
                .putStringArray("tokenizer.ggml.merges", merges);
        c.bosTokenId().ifPresent(id -> w.putUint32("tokenizer.ggml.bos_token_id", id));
        // every id that ends a sequence (config.json's, generation_config.json's and the
        // tokenizer's eos_token): GGUF names three, the end of text, of a turn and of a message
        List<Integer> eos = new ArrayList<>(c.eosTokenIds());
        try (Tokenizer tok = Tokenizer.load(in)) {
            for (int id : tok.eosTokenIds()) if (!eos.contains(id)) eos.add(id);
        }
        if (!eos.isEmpty()) w.putUint32("tokenizer.ggml.eos_token_id", eos.getFirst());
        if (eos.size() > 1) w.putUint32("tokenizer.ggml.eot_token_id", eos.getLast());
        if (eos.size() > 2) w.putUint32("tokenizer.ggml.eom_token_id", eos.get(1));
        if (eos.size() > 3) throw new IllegalArgumentException("GGUF holds three end-of-sequence ids, the model has " + eos);
        JsonNode single = t.path("post_processor").path("single");
        w.putBool("tokenizer.ggml.add_bos_token", "TemplateProcessing".equals(t.path("post_processor").path("type").asText())
                && single.isArray() && !single.isEmpty() && single.get(0).has("SpecialToken"));
        Path config = in.resolve("tokenizer_config.json");
        if (Files.exists(config)) {
            JsonNode template = JSON.readTree(config.toFile()).path("chat_template");
            if (template.isTextual()) w.putString("tokenizer.chat_template", template.asText());
        }
    }

    /**
     * llama.cpp's name for the pre-tokeniser whose split pattern {@code tokenizer.json} holds:
     * {@code llama-bpe} (Llama 3: digits in runs of up to three), {@code qwen2} (single digits),
     * else {@code gpt2}.
     */
    static String preTokenizer(String preTokenizerJson) {
        if (preTokenizerJson.contains("\\\\p{N}{1,3}")) return "llama-bpe";
        if (preTokenizerJson.contains("\\\\p{N}|") && preTokenizerJson.contains("(?i:'s")) return "qwen2";
        if (preTokenizerJson.contains("\"Digits\"") && preTokenizerJson.contains("\"individual_digits\":true")
                && preTokenizerJson.contains("\"use_regex\":true")) return "smollm";
        if (preTokenizerJson.matches("\\{\"type\":\"ByteLevel\".*\"use_regex\":true.*")) return "gpt2";
        throw new IllegalArgumentException("a pre-tokeniser llama.cpp has no name for: " + preTokenizerJson);
    }
}
