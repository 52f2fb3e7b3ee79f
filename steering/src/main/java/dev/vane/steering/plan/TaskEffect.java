package dev.vane.steering.plan;

import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.StepContext;
import dev.vane.steering.plan.ArtifactResolver.TaskEmbedding;

/**
 * Method 4, soft injection of a task embedding (arXiv 2507.20906): in the prefill step that holds
 * the row's last prompt token, at {@code ATTN_HEADS} of every layer, that token's head outputs
 * become {@code (1 − α)·z + α·ē} per head ({@link SoftInjection}). Decode steps are untouched;
 * the injection reaches generated tokens through the KV entries of the last prompt position.
 * Each row injects at its own last real token, whatever the batch's padding.
 */
final class TaskEffect implements Effect {

    private final TaskEmbedding task;
    private final EffectTrace trace;

    TaskEffect(TaskEmbedding task, EffectTrace trace) {
        this.task = task;
        this.trace = trace;
    }

    @Override
    public boolean actsAt(HookSite s, StepContext.Row row) {
        return s.component() == Component.ATTN_HEADS && s.layer() >= 0 && row.phase() == Phase.PROMPT && row.lastOfPrompt();
    }

    /** {@code x}: the row's head outputs {@code [T, H·Dh]}, heads side by side. */
    @Override
    public void apply(HookSite s, float[] x, int offset, int tokens, int width, StepContext.Row row) {
        int l = s.layer(), h = task.numHeads(), dh = task.headDim();
        if (width != h * dh)
            throw new IllegalStateException("task embedding '" + task.name() + "' has " + h + " heads of "
                    + dh + " but the model's head outputs are " + width + " wide");
        if (l == 0) trace.addPositions(1);
        SoftInjection.at(x, offset, row.last(), h, dh, task.alpha(), l * h, task.embedding(), l * h * dh);
    }

    @Override
    public EffectTrace trace() { return trace; }
}
