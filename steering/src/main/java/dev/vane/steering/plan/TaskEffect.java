package dev.vane.steering.plan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
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
    private final NDManager manager;
    private final EffectTrace trace;
    private final NDArray[] alpha;     // [L] of [H, 1], made on first use
    private final NDArray[] embedding; // [L] of [H, Dh], made on first use

    TaskEffect(TaskEmbedding task, NDManager manager, EffectTrace trace) {
        this.task = task;
        this.manager = manager;
        this.trace = trace;
        this.alpha = new NDArray[task.numLayers()];
        this.embedding = new NDArray[task.numLayers()];
    }

    @Override
    public boolean actsAt(HookSite s, StepContext.Row row) {
        return s.component() == Component.ATTN_HEADS && s.layer() >= 0 && row.phase() == Phase.PROMPT && row.lastOfPrompt();
    }

    @Override
    public NDArray apply(HookSite s, NDArray x, StepContext.Row row) {
        int l = s.layer();
        Shape shape = x.getShape(); // [1, T, H, Dh]
        if (shape.dimension() != 4 || shape.get(2) != task.numHeads() || shape.get(3) != task.headDim())
            throw new IllegalStateException("task embedding '" + task.name() + "' has " + task.numHeads() + " heads of "
                    + task.headDim() + " but the model's head outputs are " + shape);
        if (alpha[l] == null) {
            int h = task.numHeads(), dh = task.headDim();
            float[] a = new float[h];
            System.arraycopy(task.alpha(), l * h, a, 0, h);
            float[] e = new float[h * dh];
            System.arraycopy(task.embedding(), l * h * dh, e, 0, h * dh);
            alpha[l] = manager.create(a, new Shape(h, 1));
            embedding[l] = manager.create(e, new Shape(h, dh));
            NDScope.unregister(alpha[l], embedding[l]); // live with the row, not the step's scope
        }
        if (l == 0) trace.addPositions(1);
        return SoftInjection.at(x, row.length() - 1, alpha[l], embedding[l]);
    }

    @Override
    public boolean inPlace(HookSite s, StepContext.Row row) { return true; }

    @Override
    public void applyInPlace(HookSite s, float[] x, int offset, Shape rowShape, StepContext.Row row) {
        int l = s.layer(), h = task.numHeads(), dh = task.headDim();
        if (rowShape.dimension() != 4 || rowShape.get(2) != h || rowShape.get(3) != dh)
            throw new IllegalStateException("task embedding '" + task.name() + "' has " + h + " heads of "
                    + dh + " but the model's head outputs are " + rowShape);
        if (l == 0) trace.addPositions(1);
        SoftInjection.at(x, offset, row.length() - 1, h, dh, task.alpha(), l * h, task.embedding(), l * h * dh);
    }

    @Override
    public EffectTrace trace() { return trace; }
}
