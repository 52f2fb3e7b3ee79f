package dev.vane.engine.model;

import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Greedy continuations and top-5 log-probabilities against golden files made by the
 * independent PyTorch reference ({@code tools/make-goldens.sh}).
 */
class GoldenParityTest {

    @ParameterizedTest(name = "{0} file {1}, compute {2}, java decoder threads {4} (0: tensor decoder)")
    @CsvSource({
            "tiny-llama, f32, F32, 1e-4, 0",
            "tiny-llama, bf16, F32, 1e-4, 0",
            "tiny-llama, f16, F32, 1e-4, 0",
            "tiny-mistral, f32, F32, 1e-4, 0",
            "tiny-qwen2, f32, F32, 1e-4, 0",
            "tiny-qwen3, f32, F32, 1e-4, 0",
            "tiny-llama, f32, F16, 5e-2, 0",
            "tiny-mistral, f32, F16, 5e-2, 0",
            "tiny-qwen2, f32, F16, 5e-2, 0",
            "tiny-qwen3, f32, F16, 5e-2, 0",
            "tiny-llama, f32, F16, 5e-2, 2",
            "tiny-mistral, f32, F16, 5e-2, 1",
            "tiny-qwen2, f32, F16, 5e-2, 2",
            "tiny-qwen3, f32, F16, 5e-2, 2",
    })
    void matchesReference(String preset, String fileDtype, ComputeDType compute, double tolerance, int kernelThreads) throws Exception {
        JsonNode golden;
        try (InputStream in = getClass().getResourceAsStream("/golden/" + preset + "-" + fileDtype + ".json")) {
            golden = new ObjectMapper().readTree(in);
        }
        var dir = Fixtures.of(Preset.byId(preset).orElseThrow(), FileDType.parse(fileDtype), golden.get("seed").asLong());
        List<Integer> prompt = new ArrayList<>();
        golden.get("prompt").forEach(n -> prompt.add(n.asInt()));
        JsonNode steps = golden.get("steps");

        try (CausalLM model = kernelThreads > 0 ? ModelLoader.load(dir, LoadOptions.java(64, kernelThreads))
                : ModelLoader.loadTensor(dir, compute, 64);
             KvCache cache = model.newCache(1, 64)) {
            assertEquals(kernelThreads > 0 ? Backend.Kind.JAVA : Backend.Kind.TENSOR, model.backend().kind());
            int[] next = prompt.stream().mapToInt(Integer::intValue).toArray();
            int start = 0;
            for (int step = 0; step < steps.size(); step++) {
                float[] logits;
                try (NDScope scope = new NDScope()) {
                    StepInput in = new StepInput(new int[][] {next}, new int[] {start}, new int[] {0},
                            new Phase[] {step == 0 ? Phase.PROMPT : Phase.GENERATION}, new boolean[] {step == 0});
                    logits = model.forwardLogits(in, cache, StepHooks.NONE, LogitsMode.LAST);
                }
                start += next.length;
                double[] logprobs = logSoftmax(logits);
                JsonNode expected = steps.get(step);
                int token = argmax(logprobs);
                assertEquals(expected.get("token").asInt(), token, "greedy token at step " + step);
                for (JsonNode top : expected.get("top")) {
                    int id = top.get(0).asInt();
                    assertEquals(top.get(1).asDouble(), logprobs[id], tolerance,
                            "logprob of token " + id + " at step " + step);
                }
                next = new int[] {token};
            }
        }
    }

    static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        double lse = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) out[i] = logits[i] - lse;
        return out;
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
