package dev.vane.lab.convert;

import dev.vane.engine.cache.KvCache;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.generate.GenerationDefaults;
import dev.vane.engine.gguf.GgmlType;
import dev.vane.engine.gguf.GgufFile;
import dev.vane.engine.gguf.GgufValueType;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.model.Backend;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LoadOptions;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;
import dev.vane.engine.model.WeightCache;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.engine.weights.CheckpointException;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A safetensors fixture converted to GGUF by the project's writer loads on the Java decoder and
 * computes what the checkpoint computes: in f16 the same greedy tokens and log-probabilities
 * (bit for bit where no RoPE scaling is involved; Llama 3 scaling arrives as per-frequency
 * divisors, which round differently in the last bit); in Q8_0 exactly what the checkpoint
 * quantised at load computes (the same quantiser), and close to the f16 model.
 */
class GgufExportTest {

    private static final int[] PROMPT = {1, 17, 250, 3, 99, 7, 301};
    private static final int STEPS = 12;

    /** Greedy decoding from {@link #PROMPT}: the tokens, and each step's log-probabilities. */
    private record Run(int[] tokens, float[][] logprobs) {}

    private static Run greedy(Path model, Optional<ComputeDType> dtype) {
        return run(model, dtype, null);
    }

    /**
     * Decoding from {@link #PROMPT}: greedy, or fed {@code forced} (teacher forcing, so that two
     * models are compared on the same sequence); the tokens each step chose, and its log-probabilities.
     */
    private static Run run(Path model, Optional<ComputeDType> dtype, int[] forced) {
        LoadOptions o = new LoadOptions(dtype, 64, Backend.Request.AUTO, 2, WeightCache.OFF);
        try (CausalLM m = ModelLoader.load(model, o); KvCache kv = m.newCache(1, 64)) {
            assertThat(m.backend().kind()).isEqualTo(Backend.Kind.JAVA);
            int[] tokens = new int[STEPS];
            float[][] logprobs = new float[STEPS][];
            float[] logits = m.forwardLogits(StepInput.prompt(PROMPT, 0), kv, StepHooks.NONE, LogitsMode.LAST);
            int pos = PROMPT.length;
            for (int s = 0; s < STEPS; s++) {
                logprobs[s] = logSoftmax(logits);
                int best = 0;
                for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
                tokens[s] = best;
                StepInput step = new StepInput(new int[][] {{forced == null ? best : forced[s]}}, new int[] {pos++}, new int[] {0},
                        new Phase[] {Phase.GENERATION}, new boolean[] {false});
                logits = m.forwardLogits(step, kv, StepHooks.NONE, LogitsMode.LAST);
            }
            return new Run(tokens, logprobs);
        }
    }

    private static float[] logSoftmax(float[] x) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : x) max = Math.max(max, v);
        for (float v : x) sum += Math.exp(v - max);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (float) (x[i] - max - Math.log(sum));
        return out;
    }

    private static double maxDifference(Run a, Run b) {
        double d = 0;
        for (int s = 0; s < STEPS; s++)
            for (int i = 0; i < a.logprobs[s].length; i++) d = Math.max(d, Math.abs(a.logprobs[s][i] - b.logprobs[s][i]));
        return d;
    }

    @ParameterizedTest
    @EnumSource(value = Preset.class, names = {"TINY_LLAMA", "TINY_QWEN2", "TINY_QWEN3"})
    void anF16FileComputesWhatItsCheckpointComputes(Preset preset, @TempDir Path dir) throws IOException {
        Path ckpt = FixtureWriter.write(preset.config(), FileDType.F16, 5, dir.resolve("ckpt"));
        Path gguf = dir.resolve("model.gguf");
        GgufExport.run(ckpt, gguf, GgmlType.F16);

        Run fromCheckpoint = greedy(ckpt, Optional.of(ComputeDType.F16));
        Run fromGguf = greedy(gguf, Optional.empty());

        assertThat(fromGguf.tokens()).containsExactly(fromCheckpoint.tokens());
        if (preset == Preset.TINY_LLAMA) assertThat(maxDifference(fromGguf, fromCheckpoint)).isLessThan(1e-4);
        else for (int s = 0; s < STEPS; s++) assertThat(fromGguf.logprobs()[s]).containsExactly(fromCheckpoint.logprobs()[s]);
    }

    /**
     * Q8_0's stated tolerance against f16, teacher-forced on the f16 model's greedy sequence: the
     * same top-1 token at every step, log-probabilities within 0.05 on average and 0.3 at most
     * (random-weight fixtures; the trained demo model, whose logits are far from flat, included).
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"TINY_QWEN2", "TINY_QWEN3", "TINY_LLAMA", "demo"})
    void aQ8FileComputesWhatItsCheckpointQuantisedAtLoadComputes(String source, @TempDir Path dir) throws IOException {
        Path ckpt = source.equals("demo") ? dev.vane.steering.DemoModelDir.path()
                : FixtureWriter.write(Preset.valueOf(source).config(), FileDType.F16, 6, dir.resolve("ckpt"));
        Path gguf = dir.resolve("model.gguf");
        GgufExport.run(ckpt, gguf, GgmlType.Q8_0);

        Run q8File = greedy(gguf, Optional.empty()); // the file's own type: q8_0
        Run q8AtLoad = greedy(ckpt, Optional.of(ComputeDType.Q8_0));
        if (source.equals("TINY_LLAMA")) // RoPE divisors round differently in the last bit
            assertThat(maxDifference(q8File, q8AtLoad)).isLessThan(1e-4);
        else
            for (int s = 0; s < STEPS; s++) assertThat(q8File.logprobs()[s]).containsExactly(q8AtLoad.logprobs()[s]);

        // against f16, on the f16 model's greedy sequence
        Run f16 = greedy(ckpt, Optional.of(ComputeDType.F16));
        Run q8 = run(gguf, Optional.empty(), f16.tokens());
        double sum = 0;
        int agree = 0;
        for (int s = 0; s < STEPS; s++) {
            for (int i = 0; i < f16.logprobs()[s].length; i++) sum += Math.abs(q8.logprobs()[s][i] - f16.logprobs()[s][i]);
            if (q8.tokens()[s] == f16.tokens()[s]) agree++;
        }
        System.out.printf("%s q8_0 vs f16: max |dlogprob| %.4f, mean %.5f, top-1 %d/%d%n", source, maxDifference(q8, f16),
                sum / STEPS / f16.logprobs()[0].length, agree, STEPS);
        assertThat(agree).isEqualTo(STEPS);
        assertThat(sum / STEPS / f16.logprobs()[0].length).isLessThan(0.05);
        assertThat(maxDifference(q8, f16)).isLessThan(0.3);
    }

    /**
     * Q4_0: the file computes what the checkpoint quantised at load computes (the same quantiser),
     * and its stated tolerance against f16, teacher-forced on the f16 greedy sequence of the trained
     * demo model from a prompt of arbitrary ids: the same top-1 token on at least 8 of 12 steps,
     * log-probabilities within 0.4 on average (the bundled model measures 8 / 12 and 0.381; the
     * model bundled before its fine-tune measured at least 10 / 12 and under 0.3: Q4_0 follows this
     * one less closely).
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"TINY_QWEN3", "demo"})
    void aQ4FileComputesWhatItsCheckpointQuantisedAtLoadComputes(String source, @TempDir Path dir) throws IOException {
        Path ckpt = source.equals("demo") ? dev.vane.steering.DemoModelDir.path()
                : FixtureWriter.write(Preset.valueOf(source).config(), FileDType.F16, 9, dir.resolve("ckpt"));
        Path gguf = dir.resolve("model.gguf");
        GgufExport.run(ckpt, gguf, GgmlType.Q4_0);
        Run q4File = greedy(gguf, Optional.empty());
        Run q4AtLoad = greedy(ckpt, Optional.of(ComputeDType.Q4_0));
        for (int s = 0; s < STEPS; s++) assertThat(q4File.logprobs()[s]).containsExactly(q4AtLoad.logprobs()[s]);

        Run f16 = greedy(ckpt, Optional.of(ComputeDType.F16));
        Run q4 = run(gguf, Optional.empty(), f16.tokens());
        double sum = 0;
        int agree = 0;
        for (int s = 0; s < STEPS; s++) {
            for (int i = 0; i < f16.logprobs()[s].length; i++) sum += Math.abs(q4.logprobs()[s][i] - f16.logprobs()[s][i]);
            if (q4.tokens()[s] == f16.tokens()[s]) agree++;
        }
        System.out.printf("%s q4_0 vs f16: max |dlogprob| %.4f, mean %.5f, top-1 %d/%d%n", source, maxDifference(q4, f16),
                sum / STEPS / f16.logprobs()[0].length, agree, STEPS);
        if (source.equals("demo")) {
            assertThat(agree).isGreaterThanOrEqualTo(8);
            assertThat(sum / STEPS / f16.logprobs()[0].length).isLessThan(0.4);
        }
    }

    @Test
    void theFileCarriesTheGeometryTokenizerAndLlamaRopeLayout(@TempDir Path dir) throws IOException {
        Path ckpt = FixtureWriter.write(Preset.TINY_LLAMA.config(), FileDType.F16, 7, dir.resolve("ckpt"));
        Path gguf = dir.resolve("m.gguf");
        GgufExport.run(ckpt, gguf, GgmlType.Q8_0);
        try (GgufFile g = GgufFile.open(gguf, Long.MAX_VALUE)) {
            assertThat(g.metadata().get("general.architecture").asString()).isEqualTo("llama");
            assertThat(g.metadata().get("llama.embedding_length").asLong()).isEqualTo(64);
            assertThat(g.metadata().get("llama.attention.head_count_kv").asLong()).isEqualTo(2);
            assertThat(g.tensors().get("blk.1.ffn_down.weight").typeId()).isEqualTo(GgmlType.Q8_0.id());
            assertThat(g.tensors().get("blk.1.ffn_down.weight").dims()).containsExactly(128, 64);
            assertThat(g.tensors().get("blk.0.attn_norm.weight").typeId()).isEqualTo(GgmlType.F32.id());
            assertThat(g.tensors()).containsKeys("rope_freqs.weight", "output.weight");
            assertThat(g.metadata()).doesNotContainKeys(GenerationDefaults.GGUF_KEYS.values().toArray(String[]::new));
        }
        // generation_config.json's sampling defaults travel as llama.cpp's general.sampling.* keys
        Files.writeString(ckpt.resolve(GenerationDefaults.FILE), "{\"eos_token_id\": 1, \"temperature\": 0.6, \"top_k\": 20, \"repetition_penalty\": 1.3}");
        GgufExport.run(ckpt, gguf, GgmlType.Q8_0);
        assertThat(GenerationDefaults.read(gguf)).isEqualTo(GenerationDefaults.read(ckpt));
        assertThat(GenerationDefaults.read(gguf).describe()).isEqualTo("temperature 0.6, top_k 20, repetition_penalty 1.3");
        try (GgufFile g = GgufFile.open(gguf, Long.MAX_VALUE)) {
            assertThat(g.metadata().get("general.sampling.top_k").type()).isEqualTo(GgufValueType.INT32);
            assertThat(g.metadata().get("general.sampling.penalty_repeat").type()).isEqualTo(GgufValueType.FLOAT32);
        }
        // a model trained with another attention kernel has no GGUF form
        Path lssa = FixtureWriter.write(Preset.TINY_LLAMA.config().withAttention(new dev.vane.attention.AttentionKind.Softplus(64, 1)),
                FileDType.F16, 7, dir.resolve("lssa"));
        assertThatThrownBy(() -> GgufExport.run(lssa, dir.resolve("lssa.gguf"), GgmlType.F16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trained with lssa attention");
        // row r of the file holds head h's element (r % 2)·d/2 + (r % d)/2: halves interleaved
        assertThat(Arrays.stream(new int[] {0, 1, 2, 3, 16, 17}).map(r -> GgufExport.sourceRow(r, 16)).toArray())
                .containsExactly(0, 8, 1, 9, 16, 24);
    }

    @Test
    void aFileOfAnotherArchitectureOrATruncatedFileFailsNamingIt(@TempDir Path dir) throws IOException {
        Path ckpt = FixtureWriter.write(Preset.TINY_QWEN2.config(), FileDType.F16, 8, dir.resolve("ckpt"));
        Path gguf = dir.resolve("m.gguf");
        GgufExport.run(ckpt, gguf, GgmlType.F16);
        byte[] bytes = Files.readAllBytes(gguf);
        Path cut = dir.resolve("cut.gguf");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> ModelLoader.load(cut, LoadOptions.auto(64, 1)))
                .hasMessageContaining("cut.gguf: truncated file: tensor 'output_norm.weight'");
        Path other = dir.resolve("other.gguf");
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).replaceFirst("qwen2", "gemma");
        Files.write(other, text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> ModelLoader.load(other, LoadOptions.auto(64, 1))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("other.gguf: unsupported architecture 'gemma' (supported: llama, qwen2, qwen3)");
    }

    private static final String MULTILINGUAL = "Hello, world! Grüße aus Köln — 東京は晴れ。 Привет, мир! "
            + "مرحبا 12345 3.14159 naïve café 🙂👍\n\tend  of   line\r\n<|bos|> x";

    /** The tokenizer a GGUF file carries encodes, decodes and templates as the tokenizer.json it came from. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"demo", "llama3"})
    void theFilesTokenizerMatchesTheCheckpointsOnMultilingualText(String which, @TempDir Path dir) throws IOException {
        Path ckpt = which.equals("demo") ? dev.vane.steering.DemoModelDir.path()
                : dev.vane.engine.model.Fixtures.withLlama3Tokenizer(Preset.TINY_LLAMA3_VOCAB, FileDType.F16, 2);
        Path gguf = dir.resolve("t.gguf");
        GgufExport.run(ckpt, gguf, GgmlType.F16);
        try (Tokenizer hf = Tokenizer.load(ckpt); GgufFile g = GgufFile.open(gguf, Long.MAX_VALUE); Tokenizer fromGguf = Tokenizer.fromGguf(g)) {
            for (boolean special : new boolean[] {false, true}) {
                int[] ids = hf.encode(MULTILINGUAL, special);
                assertThat(fromGguf.encode(MULTILINGUAL, special)).as("special " + special).containsExactly(ids);
                assertThat(fromGguf.decode(ids, false)).isEqualTo(hf.decode(ids, false));
                assertThat(fromGguf.decode(ids, true)).isEqualTo(hf.decode(ids, true));
            }
            assertThat(fromGguf.vocabSize()).isEqualTo(hf.vocabSize());
            assertThat(fromGguf.bosTokenId()).isEqualTo(hf.bosTokenId());
            assertThat(fromGguf.addsBosToken()).isEqualTo(hf.addsBosToken());
            assertThat(fromGguf.eosTokenIds()).containsAll(hf.eosTokenIds());
            assertThat(fromGguf.chatTemplate().isPresent()).isEqualTo(hf.chatTemplate().isPresent());
            if (hf.chatTemplate().isPresent()) {
                var messages = java.util.List.of(new dev.vane.engine.tokenizer.ChatMessage("user", "Wie spät ist es? 今何時？"));
                assertThat(fromGguf.chatTemplate().get().render(messages, true)).isEqualTo(hf.chatTemplate().get().render(messages, true));
            }
        }
    }
}
