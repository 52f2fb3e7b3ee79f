package dev.vane.steering.plan;

import dev.vane.steering.plan.InterventionSpec.GactSelect;

import dev.vane.engine.hooks.Component;

import java.util.Map;
import java.util.Set;

/**
 * Looks artifacts up by name for a plan (the server's registry, or in-memory ones in tests). Each
 * method throws {@link PlanException} on field {@code artifact} when the name is unknown, of
 * another kind, or built for another model.
 */
public interface ArtifactResolver {

    SteeringVectors vectors(String name);

    /** No artifacts at all (plans that need none, such as layer skipping): every lookup is a plan error. */
    ArtifactResolver NONE = new ArtifactResolver() {
        @Override public SteeringVectors vectors(String name) { throw missing(name); }
        @Override public ControllerModel controller(String name) { throw missing(name); }
        @Override public ProbeSteering gact(String name) { throw missing(name); }
        private PlanException missing(String name) { return PlanException.notFound("artifact", "no artifact named '" + name + "'"); }
    };

    ControllerModel controller(String name);

    ProbeSteering gact(String name);

    /** A task embedding (method 4); resolvers that hold none say so. */
    default TaskEmbedding taskEmbedding(String name) {
        throw PlanException.notFound("artifact", "no task-embedding artifact named '" + name + "'");
    }

    /**
     * Per-head task embeddings ē and head-selection weights α = sigmoid(θ) (arXiv 2507.20906).
     *
     * @param embedding ē {@code [L, H, Dh]} flattened
     * @param alpha     α {@code [L, H]} flattened, each in {@code [0, 1]}
     */
    record TaskEmbedding(String name, int numLayers, int numHeads, int headDim, float[] embedding, float[] alpha) {
        public TaskEmbedding {
            if (numLayers < 1 || numHeads < 1 || headDim < 1)
                throw new IllegalArgumentException(name + ": bad shape " + numLayers + "x" + numHeads + "x" + headDim);
            if (embedding.length != numLayers * numHeads * headDim)
                throw new IllegalArgumentException(name + ": embedding has " + embedding.length + " values, expected "
                        + numLayers * numHeads * headDim);
            if (alpha.length != numLayers * numHeads)
                throw new IllegalArgumentException(name + ": alpha has " + alpha.length + " values, expected " + numLayers * numHeads);
            for (float a : alpha)
                if (!(a >= 0 && a <= 1)) throw new IllegalArgumentException(name + ": alpha " + a + " outside [0, 1]");
        }
    }

    /** One direction per layer (layers without one are absent), fitted at {@code site}. */
    record SteeringVectors(String name, Component site, int hiddenSize, Map<Integer, float[]> byLayer) {
        public SteeringVectors {
            byLayer = Map.copyOf(byLayer);
            for (var e : byLayer.entrySet())
                if (e.getValue().length != hiddenSize)
                    throw new IllegalArgumentException(name + ": layer " + e.getKey() + " vector has " + e.getValue().length
                            + " values, expected " + hiddenSize);
        }
    }

    /** A trained steering controller and its direction d̂ (one unit vector, or one direction per layer). */
    interface ControllerModel {
        int hiddenSize();

        /** Layer count the controller's {@code w} output covers. */
        int numLayers();

        /** d̂ at {@code layer}, of unit length, {@code [D]} (the same array for every layer when the direction is shared). */
        float[] direction(int layer);

        /** The strength a request that sets none applies (the artifact's {@code params.alpha}). */
        double alpha();

        /** Runs the MLP on the last 4 blocks' outputs at one position, concatenated {@code [4D]}. */
        Output evaluate(float[] features);

        /** {@code s}: global scale logit; {@code w}: per-layer weights in (0, 1). */
        record Output(float s, float[] w) {}
    }

    /** G-ACT cluster directions and per-layer probes. */
    interface ProbeSteering {
        int hiddenSize();

        /** Layers that have a probe and directions. */
        Set<Integer> layers();

        /** Number of clusters (directions) at {@code layer}. */
        int clusters(int layer);

        /** Probe the activation {@code a} {@code [D]} at {@code layer}; returns the choice and its direction. */
        Choice choose(int layer, float[] a, GactSelect select);

        /**
         * @param cluster     the most probable cluster
         * @param probability its probe probability
         * @param direction   μ (argmax) or Σ p_c μ_c (soft), unscaled {@code [D]}
         */
        record Choice(int cluster, float probability, float[] direction) {}
    }
}
