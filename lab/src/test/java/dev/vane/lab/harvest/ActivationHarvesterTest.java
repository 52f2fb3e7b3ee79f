package dev.vane.lab.harvest;

import ai.djl.ndarray.NDScope;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookRegistry;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;
import dev.vane.steering.TinyModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ActivationHarvesterTest {

    static TensorDecoder model;

    @BeforeAll
    static void load() {
        model = ModelLoader.loadTensor(TinyModels.tinyLlama(11), ComputeDType.F32, 64);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static List<int[]> prompts(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(r.ints(1 + r.nextInt(12), 0, 512).toArray());
        return out;
    }

    /** Independent reference: one prompt alone, the whole [1, T, D] stream captured, last row taken. */
    private static float[] alone(int[] prompt, int layer) {
        int d = model.config().hiddenSize();
        float[][] captured = new float[1][];
        HookRegistry hooks = new HookRegistry(model.config().numLayers());
        try (var h = hooks.add(HookSite.of(layer, Component.RESID_POST), (s, x, c) -> {
                 captured[0] = x.toFloatArray();                                        // [1, T, D]
                 return x;
             });
             NDScope scope = new NDScope()) {
            model.forward(StepInput.prompt(prompt, 0), hooks, LogitsMode.LAST);
        }
        return Arrays.copyOfRange(captured[0], (prompt.length - 1) * d, prompt.length * d);
    }

    @Test
    void batchedRowsMatchEachPromptAloneInOrder() {
        List<int[]> prompts = prompts(7, 3);
        List<int[]> progress = new ArrayList<>();
        float[][][] acts = new ActivationHarvester(model).harvest(prompts, List.of(0, 1), 3,
                (done, total) -> progress.add(new int[] {done, total}));

        assertThat(acts.length).isEqualTo(7);
        for (int i = 0; i < prompts.size(); i++)
            for (int l = 0; l < 2; l++) {
                float[] ref = alone(prompts.get(i), l);
                assertThat(acts[i][l]).hasSize(64);
                for (int j = 0; j < ref.length; j++)
                    assertThat(acts[i][l][j]).as("prompt %d layer %d dim %d", i, l, j)
                            .isCloseTo(ref[j], org.assertj.core.data.Offset.offset(1e-5f));
            }
        assertThat(progress).extracting(p -> p[0]).containsExactly(3, 6, 7);
        assertThat(progress).extracting(p -> p[1]).containsOnly(7);
    }

    @Test
    void layerSelectionKeepsTheRequestedOrder() {
        List<int[]> prompts = prompts(2, 5);
        ActivationHarvester h = new ActivationHarvester(model);
        float[][][] all = h.harvest(prompts, 8);
        float[][][] picked = h.harvest(prompts, List.of(1, 0), 8, HarvestProgress.NONE);
        assertThat(picked[1][0]).containsExactly(all[1][1]);
        assertThat(picked[1][1]).containsExactly(all[1][0]);
        assertThat(all[0][0]).isNotEqualTo(all[0][1]);
    }

    @Test
    void badInputIsNamed() {
        ActivationHarvester h = new ActivationHarvester(model);
        assertThatThrownBy(() -> h.harvest(List.of(new int[] {1}, new int[0]), 2)).hasMessageContaining("prompt 1 has no tokens");
        assertThatThrownBy(() -> h.harvest(List.of(new int[65]), 2)).hasMessageContaining("prompt 0 has 65 tokens");
        assertThatThrownBy(() -> h.harvest(List.of(new int[] {1}), List.of(2), 1, HarvestProgress.NONE))
                .hasMessageContaining("layer 2 outside");
    }

    @Test
    void progressBarDrawsOneLine() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true), "harvest");
        assertThat(bar.line(3, 12, 0)).isEqualTo("harvest [=======>                      ] 3/12");
        bar.update(12, 12);
        assertThat(buf.toString()).startsWith("\rharvest [==============================] 12/12").endsWith("\n");
    }
}
