package dev.vane.engine.generate;

import ai.djl.ndarray.NDScope;
import dev.vane.engine.cache.JavaKvCache;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.config.BeaconConfig;
import dev.vane.engine.config.BeaconConfig.Projection;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.LoadOptions;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Activation Beacon through the generator on a tiny model with beacon parameters under the
 * reference implementation's tensor names: the KV layout's size, bit-exactness where nothing is
 * compressed, re-rotated keys, batch rows equal to solo runs, and prompts beyond the context.
 */
class BeaconTest {

    private static final BeaconConfig SETTINGS = new BeaconConfig(16, List.of(2, 4, 8), 1, EnumSet.of(Projection.Q, Projection.K, Projection.V));
    private static Path beaconDir, baseDir;
    private static CausalLM model, base;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void setUp() throws Exception {
        ModelConfig cfg = Preset.TINY_LLAMA3_VOCAB.config();
        baseDir = dev.vane.engine.model.Fixtures.withLlama3Tokenizer(Preset.TINY_LLAMA3_VOCAB, FileDType.F32, 7);
        beaconDir = Files.createTempDirectory("vane-beacon");
        FixtureWriter.write(cfg.withBeacon(Optional.of(SETTINGS)), FileDType.F32, 7, beaconDir);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) Files.copy(baseDir.resolve(f), beaconDir.resolve(f));
        model = ModelLoader.load(beaconDir, LoadOptions.java(256, 2));
        base = ModelLoader.load(baseDir, LoadOptions.java(256, 2));
        tokenizer = Tokenizer.load(beaconDir);
    }

    @AfterAll
    static void tearDown() {
        model.close();
        base.close();
        tokenizer.close();
    }

    private static int[] prompt(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = 1000 + rng.nextInt(20_000);
        return p;
    }

    private static SamplingParams greedy(int tokens) {
        return SamplingParams.builder().temperature(0).maxTokens(tokens).ignoreEos(true).logprobs(1).build();
    }

    @Test
    void theSettingsRoundTripThroughConfigJsonUnderTheReferenceNames() throws Exception {
        assertThat(HfConfig.read(beaconDir).beacon()).contains(SETTINGS);
        assertThat(model.beacon()).contains(SETTINGS);
        assertThat(base.beacon()).isEmpty();
        assertThat(model.weightBytes()).isGreaterThan(base.weightBytes());
        // the tensors carry the reference implementation's names, spelled out here rather than by HfNames
        try (var file = dev.vane.engine.weights.CheckpointReader.open(beaconDir)) {
            assertThat(file.names()).contains("model.beacon_embed_tokens.weight",
                    "model.layers.0.self_attn.beacon_q_proj.weight", "model.layers.0.self_attn.beacon_k_proj.weight",
                    "model.layers.1.self_attn.beacon_v_proj.weight");
            assertThat(file.names()).noneMatch(n -> n.contains("beacon_o_proj"));
        }
        String config = Files.readString(beaconDir.resolve("config.json"));
        assertThat(config).contains("\"beacon_window\" : 16", "\"beacon_sink_size\" : 1", "\"beacon_pos\" : \"interleave\"",
                "\"beacon_attn\" : \"full-coverage\"");
    }

    @Test
    void kvEntriesFollowSinkPlusBeaconsPlusTheOpenWindow() {
        for (int ratio : new int[] {2, 4, 8})
            for (int chunk : new int[] {Integer.MAX_VALUE, 5}) {
                try (Generator g = new Generator(model, tokenizer, 1, 256)) {
                    Sequence s = g.newSequence(prompt(37, ratio), greedy(40), TokenListener.NONE, RowHooks.NONE, OptionalInt.of(ratio));
                    g.admit(s);
                    while (!s.isFinished()) {
                        g.step(List.of(s), chunk);
                        // N raw tokens fed: sink + ⌊N/W⌋·W/r + m + ⌊m/r⌋ entries (the sink counted once the first window closed)
                        assertThat((long) s.kvPosition()).as("ratio %d, chunk %d, after %d tokens", ratio, chunk, s.position())
                                .isEqualTo(SETTINGS.entriesAfter(s.position(), ratio));
                    }
                    assertThat(s.result().tokens()).hasSize(40);
                    assertThat(s.position()).isEqualTo(37 + 39);
                    g.release(s);
                }
            }
        assertThat(SETTINGS.entriesAfter(76, 4)).isEqualTo(1 + 4 * 4 + 12 + 3);
    }

    @Test
    void withoutARatioTheBeaconModelIsTheBaseModelBitForBit() {
        int[] p = prompt(30, 3);
        try (KvCache a = model.newCache(1, 64); KvCache b = base.newCache(1, 64); NDScope scope = new NDScope()) {
            float[] withBeaconParams = model.forwardLogits(StepInput.prompt(p, 0), a, StepHooks.NONE, LogitsMode.ALL);
            float[] without = base.forwardLogits(StepInput.prompt(p, 0), b, StepHooks.NONE, LogitsMode.ALL);
            assertThat(firstDifference(withBeaconParams, without)).as("first differing logit").isEqualTo(-1);
        }
        try (Generator g = new Generator(model, tokenizer, 1, 256); Generator h = new Generator(base, tokenizer, 1, 256)) {
            GenerationResult x = g.generate(p, greedy(20), TokenListener.NONE), y = h.generate(p, greedy(20), TokenListener.NONE);
            assertThat(x.tokens()).containsExactly(y.tokens());
            assertThat(x.logprobs()).isEqualTo(y.logprobs());
        }
    }

    /** The first index where two arrays differ in bits, -1 when none (a full assertion diff of 10⁶ logits takes minutes). */
    private static int firstDifference(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.length; i++) if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) return i;
        return -1;
    }

    @Test
    void aMovedBeaconsKeyIsRotatedAfreshAndAnUnmovedOneKeepsItsBits() {
        int beacon = model.config().vocabSize(), dh = model.config().headDim();
        try (JavaKvCache moved = (JavaKvCache) model.newCache(1, 64, dev.vane.engine.cache.KvDType.F32);
             JavaKvCache fresh = (JavaKvCache) model.newCache(1, 64, dev.vane.engine.cache.KvDType.F32)) {
            step(moved, new int[] {500, 600, 700, beacon, 800, beacon}, 0);
            float[] before = moved.keys(1, 0).clone();
            model.moveBeacons(moved, 0, new int[] {3, 5}, 3); // the first stays: rotated again at its own position
            float[] after = moved.keys(1, 0);
            for (int g = 0; g < 2; g++) {
                int at = (g * 64 + 3) * dh;
                assertThat(java.util.Arrays.copyOfRange(after, at, at + dh)).as("KV head %d", g)
                        .containsExactly(java.util.Arrays.copyOfRange(before, at, at + dh));
            }
            // layer 0: a beacon's key depends on its embedding alone, so the moved one equals a beacon computed at position 4
            step(fresh, new int[] {500, 600, 700, 800, beacon}, 0);
            for (int g = 0; g < 2; g++) {
                int at = (g * 64 + 4) * dh;
                assertThat(java.util.Arrays.copyOfRange(moved.keys(0, 0), at, at + dh)).as("KV head %d", g)
                        .containsExactly(java.util.Arrays.copyOfRange(fresh.keys(0, 0), at, at + dh));
            }
        }
    }

    private static void step(KvCache cache, int[] tokens, int start) {
        try (NDScope scope = new NDScope()) {
            model.forwardLogits(new StepInput(new int[][] {tokens}, new int[] {start}, new int[] {0}, new Phase[] {Phase.PROMPT},
                    new boolean[] {true}), cache, StepHooks.NONE, LogitsMode.LAST);
        }
    }

    @Test
    void beaconRowsInABatchEqualTheirSoloRuns() {
        int[][] prompts = {prompt(41, 1), prompt(9, 2), prompt(23, 3)};
        OptionalInt[] ratios = {OptionalInt.of(2), OptionalInt.of(8), OptionalInt.empty()};
        List<GenerationResult> solo = new ArrayList<>();
        try (Generator g = new Generator(model, tokenizer, 3, 256)) {
            for (int i = 0; i < 3; i++) {
                Sequence s = g.newSequence(prompts[i], greedy(30), TokenListener.NONE, RowHooks.NONE, ratios[i]);
                g.run(List.of(s));
                solo.add(s.result());
            }
            List<Sequence> batch = new ArrayList<>();
            for (int i = 0; i < 3; i++) batch.add(g.newSequence(prompts[i], greedy(30), TokenListener.NONE, RowHooks.NONE, ratios[i]));
            g.run(batch);
            for (int i = 0; i < 3; i++) {
                assertThat(batch.get(i).result().tokens()).as("row %d", i).containsExactly(solo.get(i).tokens());
                assertThat(batch.get(i).result().logprobs()).as("row %d", i).isEqualTo(solo.get(i).logprobs());
            }
        }
        // and compression changes the continuation: beacons are not a no-op
        assertThat(solo.get(0).logprobs()).isNotEqualTo(generateWithout(prompts[0]).logprobs());
    }

    private static GenerationResult generateWithout(int[] p) {
        try (Generator g = new Generator(model, tokenizer, 1, 256)) {
            return g.generate(p, greedy(30), TokenListener.NONE);
        }
    }

    @Test
    void aPromptFarBeyondTheContextRunsCompressed() {
        int[] longPrompt = prompt(300, 9);
        try (Generator g = new Generator(model, tokenizer, 1, 64)) {
            assertThatThrownBy(() -> g.newSequence(longPrompt, greedy(8), TokenListener.NONE))
                    .isInstanceOf(InvalidSamplingParamsException.class).hasMessageContaining("300 tokens");
            Sequence s = g.newSequence(longPrompt, greedy(8), TokenListener.NONE, RowHooks.NONE, OptionalInt.of(8));
            g.run(List.of(s));
            assertThat(s.result().tokens()).hasSize(8);
            assertThat(s.result().finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat((long) s.kvPosition()).isEqualTo(SETTINGS.entriesAfter(307, 8)).isLessThan(64);
            // at ratio 2 the same tokens need more entries than the context holds: refused, naming the field
            assertThatThrownBy(() -> g.newSequence(longPrompt, greedy(8), TokenListener.NONE, RowHooks.NONE, OptionalInt.of(2)))
                    .isInstanceOf(InvalidSamplingParamsException.class).hasMessageContaining("KV entries");
        }
    }

    @Test
    void badRatiosAndModelsWithoutBeaconsAreRefusedByField() {
        try (Generator g = new Generator(model, tokenizer, 1, 256); Generator h = new Generator(base, tokenizer, 1, 256)) {
            for (int bad : new int[] {3, 1, 32, -2})
                assertThatThrownBy(() -> g.newSequence(prompt(5, 1), greedy(4), TokenListener.NONE, RowHooks.NONE, OptionalInt.of(bad)))
                        .isInstanceOfSatisfying(InvalidSamplingParamsException.class, e -> assertThat(e.field()).isEqualTo("vane.beacon.ratio"));
            assertThatThrownBy(() -> h.newSequence(prompt(5, 1), greedy(4), TokenListener.NONE, RowHooks.NONE, OptionalInt.of(4)))
                    .isInstanceOfSatisfying(InvalidSamplingParamsException.class, e -> assertThat(e.field()).isEqualTo("vane.beacon"));
        }
    }

    @Test
    void theLoaderRejectsABeaconTensorItsSettingsDoNotListByName(@TempDir Path dir) throws Exception {
        ModelConfig all = Preset.TINY_LLAMA.config().withBeacon(Optional.of(
                new BeaconConfig(8, List.of(2), 0, EnumSet.allOf(Projection.class))));
        FixtureWriter.write(all, FileDType.F32, 3, dir);
        try (CausalLM m = ModelLoader.load(dir, LoadOptions.java(64, 1))) {
            assertThat(m.beacon().orElseThrow().projections()).containsExactlyInAnyOrder(Projection.values());
        }
        Path config = dir.resolve("config.json");
        String json = Files.readString(config);
        Files.writeString(config, json.replaceAll("\"o\"\\s*", "").replaceAll(",\\s*]", "]"));
        assertThatThrownBy(() -> ModelLoader.load(dir, LoadOptions.java(64, 1)))
                .hasMessageContaining("unexpected beacon tensor").hasMessageContaining("beacon_o_proj.weight");
        Files.writeString(config, json.replace("\"interleave\"", "\"append\""));
        assertThatThrownBy(() -> HfConfig.read(dir)).hasMessageContaining("beacon_pos").hasMessageContaining("append");
        // as the reference does, ratios the window cannot run (0, non-divisors) are left out of a checkpoint's list
        Files.writeString(config, json.replaceAll("\"beacon_ratio\"\\s*:\\s*\\[[^\\]]*\\]", "\"beacon_ratio\": [0, 2, 16]"));
        assertThat(HfConfig.read(dir).beacon().orElseThrow().ratios()).containsExactly(2);
        Files.writeString(config, json.replaceAll("\"beacon_ratio\"\\s*:\\s*\\[[^\\]]*\\]", "\"beacon_ratio\": [0, 3]"));
        assertThatThrownBy(() -> HfConfig.read(dir)).hasMessageContaining("beacon_ratio");
    }

    @Test
    void aStepEndingWithABeaconReportsItsLastRawTokenToHooks() {
        int beacon = model.config().vocabSize();
        StepInput in = new StepInput(new int[][] {{500, 600, beacon}, {700}}, new int[] {0, 0}, new int[] {0, 1},
                new Phase[] {Phase.PROMPT, Phase.GENERATION}, new boolean[] {true, false});
        assertThat(in.context(beacon).rows().get(0).last()).isEqualTo(1);
        assertThat(in.context(beacon).rows().get(0).lastPosition()).isEqualTo(1);
        assertThat(in.context(beacon).rows().get(1).last()).isZero();
        assertThat(in.context().rows().get(0).last()).as("without beacons: the row's last token").isEqualTo(2);
        // the hooks of a beacon step see it: a hook recording every row's last token
        List<Integer> seen = new ArrayList<>();
        RowHooks record = new RowHooks() {
            @Override
            public boolean actsAt(dev.vane.engine.hooks.HookSite site, dev.vane.engine.hooks.StepContext.Row row) {
                if (site.layer() == 0 && site.component() == dev.vane.engine.hooks.Component.RESID_POST) seen.add(row.last());
                return false;
            }

            @Override
            public void apply(dev.vane.engine.hooks.HookSite site, float[] x, int offset, int tokens, int width,
                              dev.vane.engine.hooks.StepContext.Row row) {}
        };
        try (KvCache cache = model.newCache(2, 64); NDScope scope = new NDScope()) {
            model.forwardLogits(in, cache, StepHooks.isolating(List.of(record, RowHooks.NONE)), LogitsMode.LAST);
        }
        assertThat(seen).contains(1);
    }
}
