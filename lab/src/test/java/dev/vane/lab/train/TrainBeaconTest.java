package dev.vane.lab.train;

import dev.vane.engine.config.BeaconConfig;
import dev.vane.engine.config.BeaconConfig.Projection;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.LoadOptions;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.engine.weights.CheckpointReader;
import dev.vane.engine.weights.FileDType;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code train beacon} on a tiny model: only the beacon parameters move, the loss curve of a run
 * stopped and resumed is the uninterrupted one's, and the result serves beacon requests.
 */
class TrainBeaconTest {

    private static final BeaconConfig SETTINGS = new BeaconConfig(16, List.of(2, 4, 8), 1, EnumSet.allOf(Projection.class));
    private static final TrainConfig CFG = new TrainConfig(6, 2, 48, 1e-2, 0.1, 1, 0, 1.0, 3, 1, 0, 3);
    private static Path base;

    @BeforeAll
    static void model() {
        base = dev.vane.engine.model.Fixtures.withLlama3Tokenizer(Preset.TINY_LLAMA3_VOCAB, FileDType.F32, 5);
    }

    private static Path corpus(Path dir, String name) throws Exception {
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 40; i++)
            docs.add("Document " + i + ". The river runs past the mill and the old town, " + "and the bells ring at noon. ".repeat(1 + i % 4));
        Path f = dir.resolve(name);
        Files.writeString(f, String.join("\n<|doc|>\n", docs));
        return f;
    }

    private static TrainBeacon.Options options(Path tmp, Path out, int until) throws Exception {
        return new TrainBeacon.Options(base, corpus(tmp, "train.txt"), corpus(tmp, "valid.txt"), out, SETTINGS, CFG, 0.5, 4, until,
                Optional.of("\n<|doc|>\n"));
    }

    @Test
    void onlyTheBeaconParametersLearnAndAResumedRunFollowsTheSameCurve(@TempDir Path tmp) throws Exception {
        List<Trainer.Point> straight = TrainBeacon.run(options(tmp, tmp.resolve("a"), 6));
        assertEquals(6, straight.size());
        assertThat(straight).allMatch(p -> Double.isFinite(p.trainLoss()));
        List<Trainer.Point> first = TrainBeacon.run(options(tmp, tmp.resolve("b"), 3));
        List<Trainer.Point> second = TrainBeacon.run(options(tmp, tmp.resolve("b"), 6));
        for (int i = 0; i < 3; i++) {
            assertEquals(straight.get(i).trainLoss(), first.get(i).trainLoss(), 1e-5, "step " + (i + 1));
            assertEquals(straight.get(3 + i).trainLoss(), second.get(i).trainLoss(), 1e-4, "resumed step " + (4 + i));
        }
        Path out = tmp.resolve("a");
        assertThat(HfConfig.read(out).beacon()).contains(SETTINGS);
        try (CheckpointReader before = CheckpointReader.open(base); CheckpointReader after = CheckpointReader.open(out)) {
            for (String name : before.names()) {
                long[] shape = before.shape(name);
                assertThat(after.floats(name, shape)).as(name).isEqualTo(before.floats(name, shape)); // frozen: Arrays.equals, bit for bit
            }
            long[] q = before.shape("model.layers.0.self_attn.q_proj.weight");
            assertThat(after.floats("model.layers.0.self_attn.beacon_q_proj.weight", q))
                    .isNotEqualTo(before.floats("model.layers.0.self_attn.q_proj.weight", q)); // started as the copy, then learnt
        }
        try (CausalLM model = ModelLoader.load(out, LoadOptions.java(256, 2)); Tokenizer tok = Tokenizer.load(out);
             Generator g = new Generator(model, tok, 1, 64)) {
            int[] prompt = tok.encode("The river runs past the mill and the old town, and the bells ring at noon. ".repeat(8), true);
            assertThat(prompt.length).isGreaterThan(64);
            var s = g.newSequence(prompt, SamplingParams.greedy(8), TokenListener.NONE, RowHooks.NONE, OptionalInt.of(8));
            g.run(List.of(s));
            GenerationResult r = s.result();
            assertThat(r.tokens()).hasSize(8);
        }
    }

    @Test
    void aPassKeyAnswerWeighsAnswerWeightTimesAnyOtherToken(@TempDir Path tmp) throws Exception {
        TrainBeacon.Options o = new TrainBeacon.Options(base, corpus(tmp, "train.txt"), corpus(tmp, "valid.txt"), tmp.resolve("out"),
                SETTINGS, CFG, 1.0, 7, 6, Optional.of("\n<|doc|>\n"));
        try (Tokenizer tok = Tokenizer.load(base)) {
            TokenDataset train = TrainLm.tokens(tok, o.train(), tmp.resolve("data"), "train", o.docSeparator());
            var objective = new TrainBeacon.Objective(o, tok, train, train);
            for (int step = 0; step < 3; step++) {
                TrainBeacon.Batch b = objective.batch(train, 1, step);
                for (int r = 0; r < b.targets().length; r++) {
                    List<Integer> answer = new ArrayList<>();
                    for (int j = 0; j < b.targets()[r].length; j++) {
                        float w = b.weights()[r][j];
                        assertThat(w).as("step %d row %d target %d", step, r, j).isIn(1f, 7f);
                        if (w == 7f) answer.add(b.targets()[r][j]);
                    }
                    // the weighted targets are the key and its period, the document's last tokens before EOS
                    String text = tok.decode(answer.stream().mapToInt(Integer::intValue).toArray(), false);
                    assertThat(text).as("step %d row %d", step, r).matches(" \\d{5}\\.");
                    int last = b.targets()[r].length - 1;
                    assertThat(b.weights()[r][last]).isEqualTo(1f);
                    assertThat(b.weights()[r][last - 1]).isEqualTo(7f);
                }
            }
        }
    }

    @Test
    void aModelWithBeaconsAlreadyOrOtherSettingsOrAShortLengthIsRefusedByName(@TempDir Path tmp) throws Exception {
        assertThatThrownBy(() -> new TrainBeacon.Options(base, tmp, tmp, tmp.resolve("x"), SETTINGS,
                new TrainConfig(6, 2, 8, 1e-2, 0.1, 1, 0, 1.0, 3, 1, 0, 3), 0.5, 1, 6, Optional.empty()))
                .hasMessageContaining("--length");
        Path out = tmp.resolve("a");
        TrainBeacon.run(options(tmp, out, 1));
        assertThatThrownBy(() -> TrainBeacon.run(new TrainBeacon.Options(out, corpus(tmp, "t.txt"), corpus(tmp, "v.txt"), tmp.resolve("c"),
                SETTINGS, CFG, 0.5, 1, 1, Optional.of("\n<|doc|>\n")))).hasMessageContaining("already has beacon parameters");
        BeaconConfig other = new BeaconConfig(8, List.of(2), 0, EnumSet.of(Projection.K));
        assertThatThrownBy(() -> TrainBeacon.run(new TrainBeacon.Options(base, corpus(tmp, "t.txt"), corpus(tmp, "v.txt"), out,
                other, CFG, 0.5, 1, 2, Optional.of("\n<|doc|>\n")))).hasMessageContaining("beacon settings");
    }
}
