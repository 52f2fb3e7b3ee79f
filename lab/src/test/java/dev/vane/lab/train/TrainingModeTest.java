package dev.vane.lab.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookRegistry;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.Fixtures;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inference forward runs under DJL autograd. */
class TrainingModeTest {

    private static final int[] SEQUENCE = {1, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56,
            57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70};

    private static int[][] shiftedTargets(int[] seq) {
        int[] t = Arrays.copyOfRange(seq, 1, seq.length + 1);
        t[t.length - 1] = -1;
        return new int[][] {t};
    }

    private static float loss(TensorDecoder model, HookRegistry hooks) {
        NDArray logits = model.forward(StepInput.prompt(SEQUENCE, 0), hooks, LogitsMode.ALL);
        return Losses.crossEntropy(logits, shiftedTargets(SEQUENCE)).getFloat();
    }

    @Test
    void twentyAdamWStepsHalveTheLossOnAFixedSequence() {
        try (TensorDecoder model = ModelLoader.loadTensor(Fixtures.of(Preset.TINY_LLAMA, FileDType.F32, 21), ComputeDType.F32, 64)) {
            NDList params = model.weights().all();
            params.forEach(p -> p.setRequiresGradient(true));
            AdamW opt = AdamW.of(params, 0.0);
            HookRegistry none = new HookRegistry(model.config().numLayers());
            float first;
            try (NDScope s = new NDScope()) {
                first = loss(model, none);
            }
            for (int step = 0; step < 20; step++) {
                try (NDScope s = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = model.forward(StepInput.prompt(SEQUENCE, 0), none, LogitsMode.ALL);
                    gc.backward(Losses.crossEntropy(logits, shiftedTargets(SEQUENCE)));
                }
                try (NDScope s = new NDScope()) {
                    opt.step(1e-2, 1.0);
                }
            }
            float last;
            try (NDScope s = new NDScope()) {
                last = loss(model, none);
            }
            assertTrue(last <= first / 2, "loss went from " + first + " to " + last);
        }
    }

    @Test
    void gradientsReachAHookParameterWhileTheModelStaysFrozen() {
        try (TensorDecoder model = ModelLoader.loadTensor(Fixtures.of(Preset.TINY_LLAMA, FileDType.F32, 21), ComputeDType.F32, 64)) {
            NDArray steer = model.manager().zeros(new Shape(model.config().hiddenSize()));
            steer.setRequiresGradient(true);
            HookRegistry hooks = new HookRegistry(model.config().numLayers());
            hooks.add(HookSite.of(0, Component.RESID_POST), (site, x, ctx) -> x.add(steer));
            try (NDScope s = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(StepInput.prompt(SEQUENCE, 0), hooks, LogitsMode.ALL);
                gc.backward(Losses.crossEntropy(logits, shiftedTargets(SEQUENCE)));
            }
            float gradNorm = steer.getGradient().norm().getFloat();
            assertTrue(gradNorm > 0, "the hook parameter receives a gradient");
            for (NDArray w : model.weights().all()) assertFalse(w.hasGradient(), "model weights stay frozen");
        }
    }
}
