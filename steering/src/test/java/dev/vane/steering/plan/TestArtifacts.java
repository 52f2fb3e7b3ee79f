package dev.vane.steering.plan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/** In-memory artifacts for plan tests, and the location of the bundled demo model. */
final class TestArtifacts implements ArtifactResolver {

    final Map<String, SteeringVectors> vectors = new HashMap<>();
    final Map<String, ControllerModel> controllers = new HashMap<>();
    final Map<String, ProbeSteering> gacts = new HashMap<>();
    final Map<String, TaskEmbedding> tasks = new HashMap<>();

    @Override
    public TaskEmbedding taskEmbedding(String name) {
        TaskEmbedding t = tasks.get(name);
        if (t == null) throw new PlanException("artifact", "no task-embedding artifact named '" + name + "'");
        return t;
    }

    @Override
    public SteeringVectors vectors(String name) {
        SteeringVectors v = vectors.get(name);
        if (v == null) throw new PlanException("artifact", "no vector-set artifact named '" + name + "'");
        return v;
    }

    @Override
    public ControllerModel controller(String name) {
        ControllerModel c = controllers.get(name);
        if (c == null) throw new PlanException("artifact", "no controller artifact named '" + name + "'");
        return c;
    }

    @Override
    public ProbeSteering gact(String name) {
        ProbeSteering g = gacts.get(name);
        if (g == null) throw new PlanException("artifact", "no gact artifact named '" + name + "'");
        return g;
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

    /** The default strength of the test controllers. */
    static final double DEFAULT_ALPHA = 1.5;

    /** A controller with fixed outputs: {@code s} and {@code w_l = (l + 1) / (L + 1)}. */
    static ControllerModel fixedController(int hidden, int layers, float s, long seed) {
        float[] d = random(hidden, seed);
        double n = 0;
        for (float x : d) n += x * x;
        for (int i = 0; i < hidden; i++) d[i] /= (float) Math.sqrt(n);
        float[] w = new float[layers];
        for (int l = 0; l < layers; l++) w[l] = (l + 1f) / (layers + 1f);
        return new ControllerModel() {
            @Override public int hiddenSize() { return hidden; }
            @Override public int numLayers() { return layers; }
            @Override public float[] direction(int layer) { return d; }
            @Override public double alpha() { return DEFAULT_ALPHA; }
            @Override public Output evaluate(float[] features) {
                if (features.length != 4 * hidden) throw new AssertionError("features " + features.length);
                return new Output(s, w.clone());
            }
        };
    }

    /** A controller with fixed outputs {@code s}, {@code w} and a direction per layer {@code d[l]}. */
    static ControllerModel controller(float s, float[] w, float[][] d) {
        return new ControllerModel() {
            @Override public int hiddenSize() { return d[0].length; }
            @Override public int numLayers() { return d.length; }
            @Override public float[] direction(int layer) { return d[layer]; }
            @Override public double alpha() { return DEFAULT_ALPHA; }
            @Override public Output evaluate(float[] features) { return new Output(s, w.clone()); }
        };
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

    /** The bundled demo model directory (models/demo at the repository root). */
    static Path demoModel() {
        return dev.vane.steering.DemoModelDir.path();
    }
}
