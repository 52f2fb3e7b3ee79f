package dev.vane.lab.train;

import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TrainerTest {

    /** Counting sequences with random starts: learnable structure. */
    private static TokenDataset data(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        int cur = r.nextInt(500);
        for (int i = 0; i < n; i++) {
            if (i % 16 == 0) cur = r.nextInt(500);
            t[i] = 3 + (cur++ % 500);
        }
        return new TokenDataset(t);
    }

    private static final TrainConfig CFG = new TrainConfig(12, 4, 32, 1e-2, 0.1, 2, 0.01, 1.0, 6, 2, 0, 7);

    @Test
    void lossFallsAndResumeFollowsTheSameCurve(@TempDir Path tmp) throws Exception {
        TokenDataset train = data(1, 20_000), valid = data(2, 4_000);
        Path straight = FixtureWriter.write(Preset.TINY_LLAMA.config(), FileDType.F32, 3, tmp.resolve("a"));
        List<Trainer.Point> full = new Trainer(CFG, straight, null).run(train, valid, CFG.steps());
        assertEquals(12, full.size());
        assertThat(full.get(11).valLoss()).isLessThan(full.get(5).valLoss());
        assertThat(full.get(11).trainLoss()).isLessThan(full.get(0).trainLoss() * 0.8);

        Path split = FixtureWriter.write(Preset.TINY_LLAMA.config(), FileDType.F32, 3, tmp.resolve("b"));
        List<Trainer.Point> first = new Trainer(CFG, split, null).run(train, valid, 6);
        List<Trainer.Point> second = new Trainer(CFG, split, null).run(train, valid, CFG.steps());
        assertEquals(6, first.size());
        assertEquals(6, second.size());
        for (int i = 0; i < 6; i++) {
            assertEquals(full.get(i).trainLoss(), first.get(i).trainLoss(), 1e-5, "step " + (i + 1));
            assertEquals(full.get(6 + i).trainLoss(), second.get(i).trainLoss(), 1e-4, "resumed step " + (7 + i));
        }
        assertThat(Files.readString(split.resolve("trainer_state.json"))).contains("\"step\" : 12");
        // a save lands by renames: no scratch folder is left, every file is in place
        assertThat(split.resolve(".checkpoint-partial")).doesNotExist();
        assertThat(split.resolve("model.safetensors")).exists();
        assertThat(split.resolve("optimizer.safetensors")).exists();
        // the checkpoint is a plain HF directory the engine serves
        ModelLoader.loadTensor(split, ComputeDType.F16, 64).close();
    }

    @Test
    void scheduleWarmsUpThenDecaysToTheFloor() {
        TrainConfig c = new TrainConfig(100, 1, 8, 1e-3, 0.1, 10, 0, 0, 0, 1, 0, 0);
        assertEquals(1e-4, c.learningRate(0), 1e-12);
        assertEquals(1e-3, c.learningRate(9), 1e-12);
        assertEquals(1e-3, c.learningRate(10), 1e-12);
        assertEquals(1e-4, c.learningRate(100), 1e-12);
        assertThat(c.learningRate(55)).isBetween(1e-4, 1e-3);
    }
}
