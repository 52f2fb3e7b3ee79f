package dev.vane.lab.steering;

import ai.djl.ndarray.NDScope;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.hooks.TensorHooks;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.StepInput;
import dev.vane.lab.train.Losses;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Perplexity of fixed token windows with a row's hooks applied at every position (all positions
 * are prompt positions of one forward pass, so a plan's prompt-phase effects act on all of them):
 * the "perplexity cost" of an intervention, comparing {@code exp(mean NLL)} with and without it
 * on the same windows.
 */
public final class SteeredPerplexity {

    private SteeredPerplexity() {}

    /**
     * {@code count} windows of {@code length + 1} tokens spread evenly over {@code ids} (the last
     * token of each is only a target).
     */
    public static List<int[]> windows(int[] ids, int count, int length) {
        if (count < 1 || length < 1) throw new IllegalArgumentException("need count >= 1 and length >= 1, got " + count + ", " + length);
        int span = ids.length - (length + 1);
        if (span < 0) throw new IllegalArgumentException("the text has " + ids.length + " tokens, fewer than one window of " + (length + 1));
        List<int[]> out = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            int start = count == 1 ? 0 : (int) ((long) span * k / (count - 1));
            out.add(Arrays.copyOfRange(ids, start, start + length + 1));
        }
        return out;
    }

    /**
     * Mean next-token negative log-likelihood (nats) over all windows, one forward per window with
     * a fresh row from {@code hooks} (closed after its window).
     */
    public static double meanLoss(TensorDecoder model, List<int[]> windows, Supplier<RowHooks> hooks) {
        double sum = 0;
        long tokens = 0;
        for (int[] w : windows) {
            int[] in = Arrays.copyOf(w, w.length - 1);
            int[] target = Arrays.copyOfRange(w, 1, w.length);
            RowHooks row = hooks.get();
            try (NDScope s = new NDScope()) {
                float loss = Losses.crossEntropy(model.forward(StepInput.prompt(in, 0),                  // [1, T, V]
                        StepHooks.of(List.of(row)), LogitsMode.ALL), new int[][] {target}).getFloat();
                sum += (double) loss * target.length;
                tokens += target.length;
            } finally {
                row.close();
            }
        }
        return sum / tokens;
    }
}
