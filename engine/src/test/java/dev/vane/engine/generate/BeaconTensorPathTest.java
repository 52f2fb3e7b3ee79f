package dev.vane.engine.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.vane.engine.config.BeaconConfig;
import dev.vane.engine.config.BeaconConfig.Projection;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.model.BeaconLayout;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.CheckpointWriter;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LoadOptions;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.engine.weights.CheckpointReader;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The tensor decoder's whole-sequence Activation Beacon forward (what {@code train beacon} trains)
 * against the serving loop: the same layout as the generator's window-by-window bookkeeping, and
 * the same log-probabilities as the Java decoder generating through windows that close, move their
 * beacons and re-rotate their keys.
 */
class BeaconTensorPathTest {

    private static final BeaconConfig SETTINGS = new BeaconConfig(16, List.of(2, 4, 8), 1, EnumSet.allOf(Projection.class));
    private static Path dir;
    private static CausalLM serving;
    private static TensorDecoder tensor;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void setUp() throws Exception {
        ModelConfig cfg = Preset.TINY_LLAMA3_VOCAB.config();
        Path base = dev.vane.engine.model.Fixtures.withLlama3Tokenizer(Preset.TINY_LLAMA3_VOCAB, FileDType.F16, 11);
        dir = Files.createTempDirectory("vane-beacon-tensor");
        FixtureWriter.write(cfg.withBeacon(Optional.of(SETTINGS)), FileDType.F16, 11, dir);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) Files.copy(base.resolve(f), dir.resolve(f));
        serving = ModelLoader.load(dir, LoadOptions.java(256, 2).withKv(dev.vane.engine.cache.KvDType.F32)); // f32 throughout, as the tensor decoder
        tensor = ModelLoader.loadTensor(dir, ComputeDType.F32, 256);
        tokenizer = Tokenizer.load(dir);
    }

    @AfterAll
    static void tearDown() {
        serving.close();
        tensor.close();
        tokenizer.close();
    }

    @Test
    void theLayoutIsTheOneTheGeneratorBuildsWindowByWindow() {
        for (int ratio : new int[] {2, 4, 8})
            for (int n : new int[] {1, 15, 16, 17, 40, 64, 77}) {
                BeaconLayout layout = BeaconLayout.of(n, SETTINGS, ratio);
                BeaconMemory memory = new BeaconMemory(SETTINGS, ratio, -1);
                List<Integer> slot = new ArrayList<>();          // the entry at each position of the KV slot
                int entry = 0, fed = 0, k = 0;
                while (fed < n) {
                    BeaconLayout.Window w = layout.windows().get(k++);
                    assertThat(w.memory()).as("memory before window %d (ratio %d, %d tokens)", k - 1, ratio, n)
                            .containsExactly(slot.stream().mapToInt(Integer::intValue).toArray());
                    assertThat(w.start()).isEqualTo(entry);
                    int take = Math.min(memory.room(), n - fed);
                    int[] input = memory.input(new int[take]);
                    int[] positions = Arrays.copyOfRange(layout.positions(), w.start(), w.end());
                    for (int i = 0; i < input.length; i++) {
                        assertThat(positions[i]).isEqualTo(slot.size());
                        assertThat(layout.isBeacon(entry)).isEqualTo(input[i] == -1);
                        slot.add(entry++);
                    }
                    assertThat(w.end()).isEqualTo(entry);
                    fed += take;
                    memory.fed(input).ifPresent(move -> {
                        List<Integer> kept = new ArrayList<>(slot.subList(0, move.to()));
                        for (int from : move.from()) kept.add(slot.get(from));
                        slot.clear();
                        slot.addAll(kept);
                    });
                }
                assertThat(layout.windows()).hasSize(k);
                assertThat((long) slot.size()).isEqualTo(SETTINGS.entriesAfter(n, ratio));
            }
    }

    @Test
    void theWholeSequenceForwardGivesTheServingLoopsLogProbabilities() {
        for (int len : new int[] {5, 16, 17, 45}) for (int ratio : new int[] {2, 8}) {
            int[] prompt = prompt(len, ratio);
            GenerationResult result;
            try (Generator g = new Generator(serving, tokenizer, 1, 256)) {
                SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(30).ignoreEos(true).logprobs(1).build();
                Sequence s = g.newSequence(prompt, greedy, TokenListener.NONE, RowHooks.NONE, OptionalInt.of(ratio));
                g.admit(s);
                while (!s.isFinished()) g.step(List.of(s), 7);          // prompt chunks that do not align with windows
                result = s.result();
                g.release(s);
            }
            int[] raw = new int[prompt.length + result.tokens().length - 1];
            System.arraycopy(prompt, 0, raw, 0, prompt.length);
            System.arraycopy(result.tokens(), 0, raw, prompt.length, result.tokens().length - 1);
            try (NDScope scope = new NDScope()) {
                NDArray logits = tensor.forwardBeacon(new int[][] {raw}, BeaconLayout.of(raw.length, SETTINGS, ratio)); // [1, N, V]
                float[][] logp = logSoftmaxRows(logits.toFloatArray(), raw.length, tensor.config().vocabSize());
                for (int i = 0; i < result.tokens().length; i++) {
                    int token = result.tokens()[i];
                    float[] row = logp[prompt.length - 1 + i];
                    assertThat(argmax(row)).as("prompt %d, ratio %d, token %d", len, ratio, i).isEqualTo(token);
                    assertThat(row[token]).as("prompt %d, ratio %d, token %d", len, ratio, i) // f32 both: summation order only
                            .isCloseTo(result.logprobs().get(i).chosen().logprob(), within(5e-5f));
                }
            }
        }
    }

    @Test
    void gradientsReachEveryBeaconParameterAndTheBaseModelSeesNoBeacon() {
        int[] raw = prompt(40, 5);
        gradientsReachTheReadParameters(raw, "");
        // the first raw token of the second window sees no beacon of its own window: what it learns reaches the
        // beacon parameters through the memory alone (the closed window's beacon keys and values)
        gradientsReachTheReadParameters(Arrays.copyOf(raw, 17), ", through the memory");
        // 4 raw tokens at ratio 4: the one beacon comes after the last, so no raw token sees it and every raw token's
        // logits are the plain forward's
        try (NDScope scope = new NDScope()) {
            float[] beacon = tensor.forwardBeacon(new int[][] {Arrays.copyOf(raw, 4)}, BeaconLayout.of(4, SETTINGS, 4)).toFloatArray();
            float[] plain = tensor.forward(dev.vane.engine.model.StepInput.prompt(Arrays.copyOf(raw, 4), 0),
                    dev.vane.engine.hooks.TensorHooks.NONE, dev.vane.engine.model.LogitsMode.ALL).toFloatArray();
            assertThat(beacon).containsExactly(plain, within(1e-5f));
        }
    }

    /**
     * The last raw token's logits at ratio 4, differentiated: every beacon parameter gets a gradient
     * but the last layer's beacon q and o, which shape only the beacon rows' output no raw token reads.
     */
    private static void gradientsReachTheReadParameters(int[] raw, String how) {
        try (NDScope scope = new NDScope(); var gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            var params = tensor.beaconParameters().orElseThrow().tensors();
            params.values().forEach(p -> p.setRequiresGradient(true));
            NDArray logits = tensor.forwardBeacon(new int[][] {raw}, BeaconLayout.of(raw.length, SETTINGS, 4));
            gc.backward(logits.get(new ai.djl.ndarray.index.NDIndex(":, {}", raw.length - 1)).sum());
            int last = tensor.config().numLayers() - 1;
            for (var e : params.entrySet()) {
                float g = e.getValue().getGradient().abs().sum().getFloat();
                boolean unread = e.getKey().startsWith("model.layers." + last + ".")
                        && (e.getKey().contains("beacon_q_proj") || e.getKey().contains("beacon_o_proj"));
                if (unread) assertThat(g).as(e.getKey() + how).isZero();
                else assertThat(g).as(e.getKey() + how).isGreaterThan(0f);
            }
            params.values().forEach(p -> p.setRequiresGradient(false));
        }
    }

    @Test
    void aConvertedCheckpointKeepsItsBeaconParametersAndALayoutBeyondThePositionsIsRefused(@TempDir Path out) throws Exception {
        CheckpointWriter.write(tensor.config(), tensor.weights(), tensor.beaconParameters(), out, FileDType.F16);
        try (CheckpointReader r = CheckpointReader.open(out)) {
            assertThat(r.names()).contains("model.beacon_embed_tokens.weight", "model.layers.1.self_attn.beacon_o_proj.weight");
        }
        try (TensorDecoder back = ModelLoader.loadTensor(out, ComputeDType.F32, 64)) {
            assertThat(back.config().beacon()).contains(SETTINGS);
            assertThatThrownBy(() -> back.forwardBeacon(new int[][] {prompt(300, 1)}, BeaconLayout.of(300, SETTINGS, 2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positions");
        }
    }

    private static int[] prompt(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = 1000 + rng.nextInt(20_000);
        return p;
    }

    private static float[][] logSoftmaxRows(float[] flat, int rows, int vocab) {
        float[][] out = new float[rows][vocab];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int v = 0; v < vocab; v++) max = Math.max(max, flat[r * vocab + v]);
            for (int v = 0; v < vocab; v++) sum += Math.exp(flat[r * vocab + v] - max);
            double lse = max + Math.log(sum);
            for (int v = 0; v < vocab; v++) out[r][v] = (float) (flat[r * vocab + v] - lse);
        }
        return out;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
