package dev.vane.lab.task;


import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.steering.TinyModels;
import dev.vane.lab.harvest.HarvestProgress;
import dev.vane.lab.task.HeadSelection.Loss;
import dev.vane.lab.task.HeadSelection.Query;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.vane.lab.task.SoftInjectionTest.ids;
import static dev.vane.lab.task.SoftInjectionTest.random;
import static org.assertj.core.api.Assertions.assertThat;

/** Training the head-selection logits θ through the frozen tiny Llama under autograd. */
class HeadSelectionTest {

    private static TensorDecoder model;
    private static int layers, heads, headDim;

    @BeforeAll
    static void load() {
        model = ModelLoader.loadTensor(TinyModels.tinyLlama(7), ComputeDType.F32, 128);
        layers = model.config().numLayers();
        heads = model.config().numHeads();
        headDim = model.config().headDim();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theLossScoresTheAnswerFromTheLastPromptPosition() {
        Query q = new Query(new int[] {1, 2, 3}, new int[] {9, 10, 11}, 2); // 9 is a bare space, 10 the first text
        assertThat(q.input(Loss.ANSWER)).containsExactly(1, 2, 3, 9, 10);
        assertThat(q.targets(Loss.ANSWER)[0]).containsExactly(-1, -1, 9, 10, 11);
        assertThat(q.input(Loss.FIRST_TOKEN)).containsExactly(1, 2, 3, 9);
        assertThat(q.targets(Loss.FIRST_TOKEN)[0]).containsExactly(-1, -1, 9, 10);
        assertThat(new Query(new int[] {1}, new int[] {7}).input(Loss.FIRST_TOKEN)).containsExactly(1);
    }

    @Test
    void theAutogradGradientOnThetaMatchesCentralFiniteDifferences() {
        float[] theta = random(layers * heads, 1.5, 40);
        Query q = new Query(ids(9, 41), new int[] {17, 230, 5});
        try (HeadSelection hs = new HeadSelection(model, random(layers * heads * headDim, 4, 42), theta, Loss.ANSWER)) {
            float[] g = hs.gradient(q);
            double eps = 2e-2, num = 0, den = 0;
            for (int i = 0; i < theta.length; i++) {
                float[] plus = theta.clone(), minus = theta.clone();
                plus[i] += (float) eps;
                minus[i] -= (float) eps;
                hs.setLogits(plus);
                double lp = hs.meanLoss(List.of(q), true);
                hs.setLogits(minus);
                double lm = hs.meanLoss(List.of(q), true);
                double fd = (lp - lm) / (2 * eps);
                num += (g[i] - fd) * (g[i] - fd);
                den += fd * fd;
            }
            double relative = Math.sqrt(num / den);
            assertThat(Math.sqrt(den)).as("the gradient is not trivially zero").isGreaterThan(1e-3);
            assertThat(relative).as("‖g − fd‖ / ‖fd‖").isLessThan(1e-2);
        }
    }

    /**
     * A synthetic task: random token prompts whose answer is always the same two tokens. ē comes
     * from few-shot prompts of it; θ then learns how much of ē each head should take.
     */
    @Test
    void adamOnThetaLowersTheHeldOutLossOfASyntheticTask() {
        int[] answer = {77, 3};
        SplittableRandom r = new SplittableRandom(50);
        List<Query> train = new ArrayList<>(), valid = new ArrayList<>();
        for (int i = 0; i < 40; i++) (i < 30 ? train : valid).add(new Query(ids(4 + r.nextInt(4), 100 + i), answer));
        List<int[]> fewShot = new ArrayList<>();
        for (int p = 0; p < 6; p++) {
            List<Integer> t = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                for (int x : train.get((p * 4 + k) % train.size()).prompt()) t.add(x);
                for (int x : answer) t.add(x);
            }
            for (int x : train.get(p).prompt()) t.add(x);
            fewShot.add(t.stream().mapToInt(Integer::intValue).toArray());
        }
        float[] e = HeadMeans.lastToken(model, fewShot, 3, HarvestProgress.NONE);
        try (HeadSelection hs = new HeadSelection(model, e, new float[layers * heads], Loss.ANSWER)) {
            HeadSelection.Result res = hs.optimise(train, valid, new HeadSelection.Options(30, 0.2, 10, Loss.ANSWER, 1),
                    HeadSelection.Listener.NONE);
            assertThat(res.curve()).extracting(HeadSelection.Point::step).containsExactly(0, 10, 20, 30);
            assertThat(res.bestLoss()).as("best held-out loss vs before training (%s)", res.curve())
                    .isLessThan(res.initialLoss() - 1e-3);
            assertThat(res.bestStep()).isPositive();
            assertThat(hs.logits()).as("θ ends at the best validated value").containsExactly(res.logits());
            assertThat(hs.meanLoss(valid, true)).isCloseTo(res.bestLoss(), org.assertj.core.data.Offset.offset(1e-5));
        }
    }
}
