package dev.vane.steering.control;

import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;

import java.util.Arrays;

/**
 * Reads the residual leaving chosen layers at a sequence's last prompt token, as a row hook: a
 * request carrying it harvests activations through the scheduler (on the engine thread, batched
 * with other traffic) instead of beside it. Read-only: the row's output is unchanged.
 */
public final class LastTokenCapture implements RowHooks {

    private final boolean[] layers;   // [L]
    private final float[][] captured; // [L][D], null until read

    public LastTokenCapture(int numLayers, int[] layersToRead) {
        this.layers = new boolean[numLayers];
        for (int l : layersToRead) {
            if (l < 0 || l >= numLayers) throw new IllegalArgumentException("layer " + l + " outside 0.." + (numLayers - 1));
            layers[l] = true;
        }
        this.captured = new float[numLayers][];
    }

    @Override
    public boolean actsAt(HookSite site, StepContext.Row row) {
        return site.component() == Component.RESID_POST && layers[site.layer()] && row.phase() == Phase.PROMPT
                && row.lastOfPrompt() && captured[site.layer()] == null;
    }

    @Override
    public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {
        int at = offset + row.last() * width;
        captured[site.layer()] = Arrays.copyOfRange(x, at, at + width); // [D]
    }

    /** The residual leaving {@code layer} at the last prompt token {@code [D]}. */
    public float[] at(int layer) {
        if (captured[layer] == null) throw new IllegalStateException("layer " + layer + " was not captured (did the prompt run?)");
        return Arrays.copyOf(captured[layer], captured[layer].length);
    }
}
