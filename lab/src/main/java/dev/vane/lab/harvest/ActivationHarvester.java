package dev.vane.lab.harvest;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookRegistry;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.StepInput;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Reads the residual stream of a model at each prompt's last token, the activations steering
 * vectors are fitted from (methods.md §0).
 *
 * <p>Prompts run through the model's ordinary forward pass (no KV cache, each row attends to its
 * own tokens) in batches of right-padded rows; read-only hooks at {@code RESID_POST(l)} copy out
 * row b's vector at position {@code length_b − 1}. Causal attention keeps padding, which comes
 * after the real tokens, from touching them, so a batch gives what each prompt alone would
 * (checked by the tests). Prompts are batched longest first, which wastes the least padding, and
 * the result is returned in the caller's order.
 *
 * <p>Shapes: N prompts, K harvested layers, D hidden size, B batch rows, T padded length.
 */
public final class ActivationHarvester {

    private final TensorDecoder model;

    public ActivationHarvester(TensorDecoder model) {
        this.model = model;
    }

    /** Every layer's {@code RESID_POST} at each prompt's last token: {@code [N][L][D]}. */
    public float[][][] harvest(List<int[]> prompts, int batchSize) {
        return harvest(prompts, allLayers(), batchSize, HarvestProgress.NONE);
    }

    /**
     * @param layers which layers to read, in the order wanted in the result
     * @return {@code [N][K][D]}: {@code out[i][k]} is layer {@code layers.get(k)} at prompt i's last token
     * @throws IllegalArgumentException naming the prompt that is empty or longer than the model's
     *         context, or the layer outside the model
     */
    public float[][][] harvest(List<int[]> prompts, List<Integer> layers, int batchSize, HarvestProgress progress) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        int numLayers = model.config().numLayers();
        for (int l : layers)
            if (l < 0 || l >= numLayers)
                throw new IllegalArgumentException("layer " + l + " outside the model's [0, " + numLayers + ")");
        for (int i = 0; i < prompts.size(); i++) {
            int n = prompts.get(i).length;
            if (n == 0) throw new IllegalArgumentException("prompt " + i + " has no tokens");
            if (n > model.maxPositions())
                throw new IllegalArgumentException("prompt " + i + " has " + n + " tokens, more than the model's "
                        + model.maxPositions() + " positions");
        }
        int n = prompts.size();
        float[][][] out = new float[n][][];
        Integer[] order = IntStream.range(0, n).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> -prompts.get(i).length)).toArray(Integer[]::new);
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            List<Integer> batch = List.of(order).subList(from, to);
            float[][][] acts = runBatch(batch.stream().map(prompts::get).toList(), layers);
            for (int r = 0; r < batch.size(); r++) out[batch.get(r)] = acts[r];
            progress.update(to, n);
        }
        return out;
    }

    private List<Integer> allLayers() {
        return IntStream.range(0, model.config().numLayers()).boxed().toList();
    }

    /** One forward pass over a batch; returns {@code [B][K][D]}. */
    private float[][][] runBatch(List<int[]> rows, List<Integer> layers) {
        int b = rows.size(), d = model.config().hiddenSize();
        float[][][] acts = new float[b][layers.size()][];
        int[] slots = IntStream.range(0, b).toArray();
        Phase[] phases = new Phase[b];
        Arrays.fill(phases, Phase.PROMPT);
        boolean[] last = new boolean[b];
        Arrays.fill(last, true);
        StepInput in = new StepInput(rows.toArray(int[][]::new), new int[b], slots, phases, last);
        HookRegistry hooks = new HookRegistry(model.config().numLayers());
        List<HookRegistry.HookHandle> handles = new ArrayList<>();
        try (NDScope scope = new NDScope()) {
            NDManager m = model.manager();
            long[] rowIdx = new long[b], colIdx = new long[b];
            for (int r = 0; r < b; r++) {
                rowIdx[r] = r;
                colIdx[r] = rows.get(r).length - 1;
            }
            NDIndex lastTokens = new NDIndex("{}, {}", m.create(rowIdx), m.create(colIdx));
            for (int k = 0; k < layers.size(); k++) {
                int slot = k;
                handles.add(hooks.add(HookSite.of(layers.get(k), Component.RESID_POST),
                        (site, x, ctx) -> {
                            read(x, lastTokens, ctx, slot, acts, d);
                            return x;
                        }));
            }
            model.forward(in, hooks, LogitsMode.LAST);
        } finally {
            handles.forEach(HookRegistry.HookHandle::close);
        }
        return acts;
    }

    /** Copies {@code x[b, length_b − 1, :]} of every row into {@code acts[b][slot]}; x is {@code [B, T, D]}. */
    private static void read(NDArray x, NDIndex lastTokens, StepContext ctx, int slot, float[][][] acts, int d) {
        NDArray picked = x.get(lastTokens);                                            // [B, D]
        if (picked.getDataType() != DataType.FLOAT32) picked = picked.toType(DataType.FLOAT32, false);
        float[] flat = picked.toFloatArray();
        for (int r = 0; r < ctx.batchSize(); r++)
            acts[r][slot] = Arrays.copyOfRange(flat, r * d, (r + 1) * d);
    }
}
