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

    ControllerModel controller(String name);

    ProbeSteering gact(String name);

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

    /** A trained steering controller and its direction d̂ (unit length). */
    interface ControllerModel {
        int hiddenSize();

        /** Layer count the controller's {@code w} output covers. */
        int numLayers();

        /** d̂ {@code [D]}. */
        float[] direction();

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
