package dev.vane.lab.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookRegistry;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.StepInput;
import dev.vane.lab.harvest.HarvestProgress;

import java.util.Arrays;
import java.util.List;

/**
 * The task embedding of arXiv 2507.20906 (§3.1): {@code ē_l,h}, the mean over prompts of head
 * {@code h}'s attention output (before {@code o_proj}, site {@code ATTN_HEADS}) at layer {@code l}
 * and the prompt's last token. Forward passes only; prompts run in right-padded batches, each
 * row read at its own last real token.
 */
public final class HeadMeans {

    private HeadMeans() {}

    /**
     * @param prompts token ids, each within the model's positions
     * @return ē {@code [L, H, Dh]} flattened
     */
    public static float[] lastToken(TensorDecoder model, List<int[]> prompts, int batch, HarvestProgress progress) {
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts to average");
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        ModelConfig c = model.config();
        int layers = c.numLayers(), perLayer = c.numHeads() * c.headDim();
        double[] sum = new double[layers * perLayer];
        HookRegistry hooks = new HookRegistry(layers);
        for (int l = 0; l < layers; l++) {
            int layer = l;
            hooks.add(HookSite.of(l, Component.ATTN_HEADS), (site, x, ctx) -> {
                for (int r = 0; r < ctx.batchSize(); r++) {
                    StepContext.Row row = ctx.rows().get(r);
                    float[] z = x.get(r, row.length() - 1).toType(DataType.FLOAT32, false).toFloatArray(); // [H, Dh]
                    for (int i = 0; i < perLayer; i++) sum[layer * perLayer + i] += z[i];
                }
                return x;
            });
        }
        for (int start = 0; start < prompts.size(); start += batch) {
            List<int[]> part = prompts.subList(start, Math.min(prompts.size(), start + batch));
            try (NDScope s = new NDScope()) {
                model.forward(promptBatch(part), hooks, LogitsMode.LAST);
            }
            progress.update(start + part.size(), prompts.size());
        }
        float[] mean = new float[sum.length];
        for (int i = 0; i < sum.length; i++) mean[i] = (float) (sum[i] / prompts.size());
        return mean;
    }

    /** Whole prompts from position 0, one row each, no cache. */
    static StepInput promptBatch(List<int[]> prompts) {
        int b = prompts.size();
        Phase[] phase = new Phase[b];
        Arrays.fill(phase, Phase.PROMPT);
        boolean[] last = new boolean[b];
        Arrays.fill(last, true);
        int[] slots = new int[b];
        for (int i = 0; i < b; i++) slots[i] = i;
        return new StepInput(prompts.toArray(int[][]::new), new int[b], slots, phase, last);
    }
}
