package dev.vane.steering.control;

import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactException;
import dev.vane.steering.artifact.ArtifactKind;
import dev.vane.steering.artifact.FloatTensor;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.VectorSet;
import dev.vane.steering.controller.ControllerWeights;
import dev.vane.steering.gact.GactWeights;
import dev.vane.steering.task.TaskEmbeddingWeights;

import java.util.Arrays;
import java.util.Map;

/**
 * What an artifact must be before a server stores or runs it (docs/artifacts.md, "Checks"): the
 * tensors and shapes of its kind, sized for the served model, every value finite and within
 * {@code ±}{@link #MAX_VALUE}, every direction of L2 norm at most {@link #MAX_NORM}. Checked at
 * upload ({@link ArtifactAdmin#store}) and again when a plan loads it from the registry
 * ({@link RegistryArtifacts}), so a file changed on disk is held to the same bounds.
 *
 * <p>Why bounds: a request's strength is bounded too ({@code |scale| ≤ 1000}), so an accepted
 * artifact adds at most {@code 10⁸} per value and layer, far inside the float range; values near
 * {@code 3·10³⁸} overflowed the activations of every sequence in the batch. Fitted directions are
 * differences of activation means, whose norms lie in the units to thousands.
 */
public final class ArtifactChecks {

    /** Largest magnitude of any artifact value. */
    public static final double MAX_VALUE = 1e5;
    /** Largest L2 norm of a direction (a vector-set row, a controller direction, a G-ACT cluster direction, a task embedding head). */
    public static final double MAX_NORM = 1e5;

    private ArtifactChecks() {}

    /**
     * @throws ArtifactException naming the artifact, the tensor and what is wrong with it
     */
    public static void check(Artifact a, ModelFingerprint model) {
        for (Map.Entry<String, FloatTensor> e : a.tensors().entrySet())
            values(a, e.getKey(), e.getValue().data(), infinitiesAllowed(a, e.getKey()));
        switch (a.manifest().kind()) {
            case VECTOR_SET -> {
                VectorSet v = VectorSet.from(a);
                for (int l : v.layers()) norm(a, VectorSet.DIRECTIONS, "layer " + l, v.direction(l));
            }
            case CONTROLLER -> {
                ControllerWeights w = MethodArtifacts.controller(a);
                size(a, "hidden size", w.hiddenSize(), model.hiddenSize());
                size(a, "layer count", w.layers(), model.numLayers());
                for (int l = 0; l < (w.perLayerDirection() ? w.layers() : 1); l++)
                    norm(a, "direction", w.perLayerDirection() ? "layer " + l : "the shared direction", w.direction(l));
                MethodArtifacts.model(a); // params.alpha, and directions with a unit length
            }
            case GACT -> {
                GactWeights w = MethodArtifacts.gact(a);
                size(a, "hidden size", w.hiddenSize(), model.hiddenSize());
                w.layers().forEach((l, layer) -> {
                    if (l >= model.numLayers())
                        throw new ArtifactException(a.name() + ": layer " + l + " is beyond the model's " + model.numLayers() + " layers");
                    for (int c = 0; c < layer.directions().length; c++)
                        norm(a, "layer." + l + ".directions", "cluster " + c, layer.directions()[c]);
                });
            }
            case TASK_EMBEDDING -> {
                TaskEmbeddingWeights t = MethodArtifacts.taskEmbedding(a);
                size(a, "layer count", t.numLayers(), model.numLayers());
                int dh = t.headDim();
                for (int i = 0; i < t.numLayers() * t.numHeads(); i++)
                    norm(a, TaskEmbeddingWeights.EMBEDDING, "layer " + i / t.numHeads() + " head " + i % t.numHeads(),
                            Arrays.copyOfRange(t.embedding(), i * dh, (i + 1) * dh));
            }
            case BEACON, LAC -> { } // no method runs them yet: the value bounds above are all there is to check
        }
    }

    /** Task-embedding head logits θ may be ±∞: α = sigmoid(θ) is then exactly 1 or 0. */
    private static boolean infinitiesAllowed(Artifact a, String tensor) {
        return a.manifest().kind() == ArtifactKind.TASK_EMBEDDING
                && tensor.equals(TaskEmbeddingWeights.LOGITS);
    }

    private static void values(Artifact a, String tensor, float[] data, boolean infinities) {
        for (int i = 0; i < data.length; i++) {
            float v = data[i];
            if (Float.isNaN(v) || (Float.isInfinite(v) && !infinities))
                throw new ArtifactException(a.name() + ": tensor '" + tensor + "': value " + i + " is " + v + "; values must be finite");
            if (Float.isFinite(v) && Math.abs(v) > MAX_VALUE)
                throw new ArtifactException(a.name() + ": tensor '" + tensor + "': value " + i + " is " + v
                        + ", beyond the limit of ±" + (long) MAX_VALUE);
        }
    }

    private static void norm(Artifact a, String tensor, String which, float[] direction) {
        double sum = 0;
        for (float v : direction) sum += (double) v * v;
        double norm = Math.sqrt(sum);
        if (norm > MAX_NORM)
            throw new ArtifactException(a.name() + ": tensor '" + tensor + "': " + which + " has L2 norm " + (float) norm
                    + ", beyond the limit of " + (long) MAX_NORM);
    }

    private static void size(Artifact a, String what, int has, int model) {
        if (has != model)
            throw new ArtifactException(a.name() + ": " + what + " " + has + " does not match the model's " + model);
    }
}
