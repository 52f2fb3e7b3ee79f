package dev.vane.lab.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.vane.attention.AttentionKind;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.TensorHooks;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A garbage collection between a forward pass and its backward leaves the gradients as they are:
 * every number the autograd graph reads again is PyTorch's own memory (DJL's number arguments
 * live in direct buffers that a collection frees, which turned training runs into NaN).
 */
class GradientsSurviveGcTest {

    @ParameterizedTest
    @ValueSource(strings = {"softmax", "lssar", "sigmoid"})
    void gradientsAreTheSameWithACollectionBeforeTheBackward(String kind, @TempDir Path tmp) throws Exception {
        Path dir = FixtureWriter.write(Preset.TINY_LLAMA.config().withAttention(AttentionKind.named(kind, 32, 2)), FileDType.F32, 4, tmp);
        try (TensorDecoder model = ModelLoader.loadTensor(dir, ComputeDType.F32, 64)) {
            NDList params = model.weights().all();
            params.forEach(p -> p.setRequiresGradient(true));
            List<float[]> quiet = gradients(model, params, false), collected = gradients(model, params, true);
            for (int i = 0; i < quiet.size(); i++) assertThat(collected.get(i)).as("parameter %d", i).containsExactly(quiet.get(i));
        }
    }

    private static List<float[]> gradients(TensorDecoder model, NDList params, boolean collect) throws InterruptedException {
        int[] tokens = new int[33];
        for (int i = 0; i < tokens.length; i++) tokens[i] = 3 + (i * 7) % 200;
        List<float[]> out = new ArrayList<>();
        try (NDScope s = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = model.forward(StepInput.prompt(java.util.Arrays.copyOf(tokens, 32), 0), TensorHooks.NONE, LogitsMode.ALL);
            NDArray loss = Losses.crossEntropy(logits, new int[][] {java.util.Arrays.copyOfRange(tokens, 1, 33)});
            if (collect)
                for (int i = 0; i < 3; i++) {
                    System.gc();
                    Thread.sleep(30);
                }
            gc.backward(loss);
            for (NDArray p : params) out.add(p.getGradient().toFloatArray());
        }
        for (NDArray p : params) p.getGradient().subi(p.getGradient());
        return out;
    }
}
