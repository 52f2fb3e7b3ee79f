package dev.vane.lab.steering;

import dev.vane.steering.plan.ArtifactResolver;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.PlanException;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/** In-memory artifacts for the evaluation tests. */
final class MapArtifacts implements ArtifactResolver {

    final Map<String, SteeringVectors> vectors = new HashMap<>();
    final Map<String, ControllerModel> controllers = new HashMap<>();
    final Map<String, ProbeSteering> gacts = new HashMap<>();

    @Override
    public SteeringVectors vectors(String name) {
        if (!vectors.containsKey(name)) throw new PlanException("artifact", "no vector-set artifact named '" + name + "'");
        return vectors.get(name);
    }

    @Override
    public ControllerModel controller(String name) {
        if (!controllers.containsKey(name)) throw new PlanException("artifact", "no controller artifact named '" + name + "'");
        return controllers.get(name);
    }

    @Override
    public ProbeSteering gact(String name) {
        if (!gacts.containsKey(name)) throw new PlanException("artifact", "no gact artifact named '" + name + "'");
        return gacts.get(name);
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    static Map<Integer, float[]> randomLayers(int layers, int hidden, long seed) {
        Map<Integer, float[]> m = new HashMap<>();
        for (int l = 0; l < layers; l++) m.put(l, random(hidden, seed + l));
        return m;
    }

    /** Two clusters per layer; the probe picks cluster 0 when {@code a[0] >= 0}. */
    static ProbeSteering signProbe(int hidden, Set<Integer> layers, long seed) {
        float[][] mu = {random(hidden, seed), random(hidden, seed + 1)};
        return new ProbeSteering() {
            @Override public int hiddenSize() { return hidden; }
            @Override public Set<Integer> layers() { return layers; }
            @Override public int clusters(int layer) { return 2; }
            @Override public Choice choose(int layer, float[] a, InterventionSpec.GactSelect select) {
                int c = a[0] >= 0 ? 0 : 1;
                return new Choice(c, 1f, mu[c]);
            }
        };
    }

    /**
     * A controller with a fixed scale logit {@code s}, {@code w_l = 1} and direction d̂ (unit);
     * it counts its evaluations.
     */
    static final class FixedController implements ControllerModel {
        final int hidden, layers;
        final float s;
        final float[] d;
        int calls;

        FixedController(int hidden, int layers, float s, float[] direction) {
            this.hidden = hidden;
            this.layers = layers;
            this.s = s;
            double n = 0;
            for (float x : direction) n += x * x;
            d = direction.clone();
            for (int i = 0; i < d.length; i++) d[i] /= (float) Math.sqrt(n);
        }

        @Override public int hiddenSize() { return hidden; }
        @Override public int numLayers() { return layers; }
        @Override public float[] direction(int layer) { return d; }
        @Override public double alpha() { return 1; }
        @Override public Output evaluate(float[] features) {
            calls++;
            float[] w = new float[layers];
            java.util.Arrays.fill(w, 1f);
            return new Output(s, w);
        }
    }
}
