package dev.vane.steering.plan;

import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.PromptReplay;
import dev.vane.engine.hooks.StepContext;
import dev.vane.steering.plan.ArtifactResolver.ControllerModel;
import dev.vane.steering.plan.InterventionSpec.ControllerMode;

/**
 * Method 1, the steering controller ("Guiding Giants", arXiv 2505.20309):
 * {@code h_l[t] += s' · alpha · w_l · d̂}, with {@code (s, w)} from an MLP over the last 4 blocks'
 * outputs at the last position, {@code s' = sigmoid(s)} when squashed, and {@code d̂} of unit
 * length. The features are read before any other entry of the plan edits those outputs
 * ({@link #readsFirst}).
 *
 * <p>{@code paper} mode reads those outputs in the prompt's first pass, freezes {@code s, w}, and
 * asks the engine to feed the last prompt token again so that every layer is patched at the last
 * prompt position too, then at every generated token. {@code prompt} mode decides the same way
 * and has the engine feed the whole prompt again (a second prefill), so every prompt position is
 * patched as well: a model that settles its answer over the prompt is steered where it decides.
 * {@code code} mode follows the released code: at each step the controller reads the step's last
 * position and patches only the last block there.
 */
final class ControllerEffect implements Effect {

    private final ControllerModel model;
    private final ControllerMode mode;
    private final float alpha;
    private final boolean squash;
    private final int layers;
    private final int hidden;
    private final float[] features; // [4D]: outputs of blocks L-4..L-1 at the read position
    private final EffectTrace trace;
    private float[][] patches; // paper and prompt modes: [L][D], once decided

    ControllerEffect(ControllerModel model, ControllerMode mode, double alpha, boolean squash, int layers, EffectTrace trace) {
        this.model = model;
        this.mode = mode;
        this.alpha = (float) alpha;
        this.squash = squash;
        this.layers = layers;
        this.hidden = model.hiddenSize();
        this.features = new float[4 * hidden];
        this.trace = trace;
    }

    private boolean readsAt(HookSite s) {
        return s.component() == Component.RESID_POST && s.layer() >= layers - 4;
    }

    @Override
    public boolean actsAt(HookSite s, StepContext.Row row) {
        if (s.component() != Component.RESID_POST) return false;
        return switch (mode) {
            case PAPER, PROMPT -> patches == null
                    ? row.phase() == Phase.PROMPT && row.lastOfPrompt() && readsAt(s)
                    : true;
            case CODE -> (row.phase() == Phase.GENERATION || row.lastOfPrompt()) && readsAt(s);
        };
    }

    @Override
    public void apply(HookSite s, float[] x, int offset, int tokens, int width, StepContext.Row row) {
        int l = s.layer();
        if (mode != ControllerMode.CODE && patches != null) {
            if (l == 0) trace.addPositions(row.length());
            float[] p = patches[l];
            for (int t = 0; t < tokens; t++) // every position, padding included
                for (int i = 0; i < hidden; i++) x[offset + t * hidden + i] += p[i];
            return;
        }
        int at = offset + row.last() * hidden;
        float[] p = read(l, x, at);
        if (p == null) return;
        for (int i = 0; i < hidden; i++) x[at + i] += p[i];
        trace.addPositions(1);
    }

    /**
     * Records block {@code l}'s output at the read position ({@code h[off .. off + D)}); after the
     * last block evaluates the controller. Paper mode then freezes the per-layer patches and returns
     * null; code mode returns the patch of the last block. Null before the last block.
     */
    private float[] read(int l, float[] h, int off) {
        System.arraycopy(h, off, features, (l - (layers - 4)) * hidden, hidden);
        if (l < layers - 1) return null;
        ControllerModel.Output out = model.evaluate(features.clone());
        trace.controller(out);
        float sEff = squash ? (float) (1 / (1 + Math.exp(-out.s()))) : out.s();
        if (mode != ControllerMode.CODE) {
            float[][] p = new float[layers][hidden];
            for (int k = 0; k < layers; k++) {
                float c = sEff * alpha * out.w()[k];
                float[] d = model.direction(k);
                for (int i = 0; i < hidden; i++) p[k][i] = c * d[i];
            }
            patches = p;
            return null; // the replay (last prompt token, or the whole prompt) is patched at every layer
        }
        float c = sEff * alpha * out.w()[l]; // code mode: the last block, at the step's last position only
        float[] d = model.direction(l);
        float[] p = new float[hidden];
        for (int i = 0; i < hidden; i++) p[i] = c * d[i];
        return p;
    }

    /** Its features are the blocks' outputs as the model computed them, whatever else the plan adds there. */
    @Override
    public boolean readsFirst() { return true; }

    @Override
    public PromptReplay promptReplay() {
        return switch (mode) {
            case PAPER -> PromptReplay.LAST_TOKEN;
            case PROMPT -> PromptReplay.WHOLE_PROMPT;
            case CODE -> PromptReplay.NONE;
        };
    }

    @Override
    public EffectTrace trace() { return trace; }
}
