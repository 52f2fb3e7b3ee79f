package dev.vane.steering.control;

import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactException;
import dev.vane.steering.artifact.ArtifactKind;
import dev.vane.steering.artifact.FloatTensor;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.controller.ControllerOutput;
import dev.vane.steering.controller.ControllerWeights;
import dev.vane.steering.gact.GactSelector;
import dev.vane.steering.gact.GactWeights;
import dev.vane.steering.plan.ArtifactResolver.ControllerModel;
import dev.vane.steering.plan.ArtifactResolver.ProbeSteering;
import dev.vane.steering.plan.InterventionSpec.GactSelect;
import dev.vane.steering.task.TaskEmbeddingWeights;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one boundary between method weights (controller, G-ACT, task embeddings) and artifacts and plans: named
 * tensors in and out of an artifact, and the views a plan runs on.
 */
public final class MethodArtifacts {

    private MethodArtifacts() {}

    /** The artifact's tensors as flat arrays and shapes, in the methods' naming. */
    static Map<String, float[]> data(Artifact a) {
        Map<String, float[]> m = new LinkedHashMap<>();
        a.tensors().forEach((k, v) -> m.put(k, v.data()));
        return m;
    }

    static Map<String, long[]> shapes(Artifact a) {
        Map<String, long[]> m = new LinkedHashMap<>();
        a.tensors().forEach((k, v) -> {
            long[] s = new long[v.shape().length];
            for (int i = 0; i < s.length; i++) s[i] = v.shape()[i];
            m.put(k, s);
        });
        return m;
    }

    /** Named tensors as artifact tensors. */
    public static Map<String, FloatTensor> tensors(Map<String, float[]> data, Map<String, long[]> shapes) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        data.forEach((k, v) -> {
            long[] s = shapes.get(k);
            int[] shape = new int[s.length];
            for (int i = 0; i < s.length; i++) shape[i] = Math.toIntExact(s[i]);
            out.put(k, new FloatTensor(shape, v));
        });
        return out;
    }

    public static ControllerWeights controller(Artifact a) {
        require(a, ArtifactKind.CONTROLLER);
        try {
            return ControllerWeights.fromTensors(data(a), shapes(a));
        } catch (IllegalArgumentException e) {
            throw new ArtifactException(a.name() + ": " + e.getMessage());
        }
    }

    public static GactWeights gact(Artifact a) {
        require(a, ArtifactKind.GACT);
        try {
            return GactWeights.fromTensors(data(a), shapes(a));
        } catch (IllegalArgumentException e) {
            throw new ArtifactException(a.name() + ": " + e.getMessage());
        }
    }

    public static TaskEmbeddingWeights taskEmbedding(Artifact a) {
        require(a, ArtifactKind.TASK_EMBEDDING);
        try {
            return TaskEmbeddingWeights.fromTensors(data(a), shapes(a));
        } catch (IllegalArgumentException e) {
            throw new ArtifactException(a.name() + ": " + e.getMessage());
        }
    }

    private static void require(Artifact a, ArtifactKind kind) {
        Manifest m = a.manifest();
        if (m.kind() != kind)
            throw new ArtifactException(m.name() + ": kind is " + m.kind().jsonName() + ", expected " + kind.jsonName());
    }

    /**
     * The plan's view of a trained controller: the raw scale logit and per-layer weights, d̂ per
     * layer scaled to unit length (so one alpha means the same for every artifact), and
     * {@code alpha}, the strength a request that sets none applies.
     *
     * @throws IllegalArgumentException when a direction is zero (it has no unit length)
     */
    public static ControllerModel model(ControllerWeights w, double alpha) {
        float[][] direction = new float[w.layers()][];
        for (int l = 0; l < w.layers(); l++)
            direction[l] = l > 0 && !w.perLayerDirection() ? direction[0] : unit(w.direction(l), "direction of layer " + l);
        return new ControllerModel() {
            @Override public int hiddenSize() { return w.hiddenSize(); }
            @Override public int numLayers() { return w.layers(); }
            @Override public float[] direction(int layer) { return direction[layer]; }
            @Override public double alpha() { return alpha; }
            @Override public Output evaluate(float[] features) {
                ControllerOutput o = w.evaluate(features);
                return new Output(o.s(), o.w());
            }
        };
    }

    /** A controller artifact's view ({@link #model}) with its stored {@code params.alpha}. */
    public static ControllerModel model(Artifact a) {
        ControllerWeights w = controller(a);
        double alpha = controllerAlpha(a);
        try {
            return model(w, alpha);
        } catch (IllegalArgumentException e) {
            throw new ArtifactException(a.name() + ": " + e.getMessage());
        }
    }

    /**
     * The controller artifact's default strength, {@code params.alpha}: a number in
     * {@code [0, }{@link dev.vane.steering.plan.InterventionSpec#MAX_ALPHA}{@code ]}.
     */
    public static double controllerAlpha(Artifact a) {
        require(a, ArtifactKind.CONTROLLER);
        var node = a.manifest().params().get("alpha");
        if (node == null || !node.isNumber())
            throw new ArtifactException(a.name() + ": params.alpha (the default strength) must be a number");
        double alpha = node.asDouble();
        if (!(alpha >= 0 && alpha <= dev.vane.steering.plan.InterventionSpec.MAX_ALPHA))
            throw new ArtifactException(a.name() + ": params.alpha must be in [0, " + dev.vane.steering.plan.InterventionSpec.MAX_ALPHA
                    + "], got " + alpha);
        return alpha;
    }

    /** {@code d / ||d||} (a copy). */
    private static float[] unit(float[] d, String what) {
        double ss = 0;
        for (float x : d) ss += (double) x * x;
        if (!(ss > 0) || !Double.isFinite(ss)) throw new IllegalArgumentException(what + " has no unit length (norm² " + ss + ")");
        float inv = (float) (1 / Math.sqrt(ss));
        float[] u = new float[d.length];
        for (int i = 0; i < d.length; i++) u[i] = d[i] * inv;
        return u;
    }

    /** The plan's view of G-ACT probes and directions: unscaled deltas (the plan applies alpha). */
    public static ProbeSteering probes(GactSelector selector) {
        GactWeights w = selector.weights();
        Set<Integer> layers = Set.copyOf(w.layers().keySet());
        return new ProbeSteering() {
            @Override public int hiddenSize() { return w.hiddenSize(); }
            @Override public Set<Integer> layers() { return layers; }
            @Override public int clusters(int layer) { return w.clusters(); }
            @Override public Choice choose(int layer, float[] a, GactSelect select) {
                GactSelector.Selection s = selector.select(layer, a,
                        select == GactSelect.SOFT ? GactSelector.Mode.SOFT : GactSelector.Mode.ARGMAX, 1f);
                return new Choice(s.cluster(), s.probabilities()[s.cluster()], s.delta());
            }
        };
    }
}
