package dev.vane.steering.artifact;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.hooks.Component;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A typed view of a {@code vector-set} artifact: at most one direction per layer, all at one hook
 * site, for {@code h_l[t] += scale · v_l} (methods.md §0). Directions are in activation units (not
 * normalised), so {@code scale = 1} adds the fitted shift once.
 *
 * <p>Stored as one tensor {@value #DIRECTIONS} of shape {@code [K, D]} whose rows belong, in order,
 * to the manifest's {@code layers} (K of them).
 */
public final class VectorSet {

    /** The tensor holding the present layers' directions, {@code [K, D]}. */
    public static final String DIRECTIONS = "directions";

    private final Component site;
    private final float[][] directions; // [L][D]; a row of zeros where absent
    private final boolean[] present;    // [L]

    /**
     * @param directions {@code [L][D]}: a direction per layer, or {@code null} where the set has none
     */
    public VectorSet(Component site, int hiddenSize, float[][] directions) {
        if (site == null) throw new ArtifactException("vector set: site missing");
        if (hiddenSize <= 0) throw new ArtifactException("vector set: hidden size must be > 0");
        this.site = site;
        this.directions = new float[directions.length][];
        this.present = new boolean[directions.length];
        for (int l = 0; l < directions.length; l++) {
            float[] v = directions[l];
            if (v != null && v.length != hiddenSize)
                throw new ArtifactException("vector set: layer " + l + " has " + v.length + " values, expected " + hiddenSize);
            if (v != null) for (float f : v)
                if (!Float.isFinite(f)) throw new ArtifactException("vector set: layer " + l + " has a non-finite value");
            present[l] = v != null;
            this.directions[l] = v != null ? v.clone() : new float[hiddenSize];
        }
        if (layers().isEmpty()) throw new ArtifactException("vector set: no layer has a direction");
    }

    public Component site() { return site; }
    /** L: the model's layer count (present or not). */
    public int numLayers() { return directions.length; }
    /** D. */
    public int hiddenSize() { return directions[0].length; }

    public boolean has(int layer) { return layer >= 0 && layer < present.length && present[layer]; }

    /** Layers with a direction, ascending. */
    public List<Integer> layers() {
        List<Integer> out = new ArrayList<>();
        for (int l = 0; l < present.length; l++) if (present[l]) out.add(l);
        return out;
    }

    /** A copy of layer {@code layer}'s direction {@code [D]}. */
    public float[] direction(int layer) {
        if (!has(layer)) throw new IllegalArgumentException("vector set has no direction for layer " + layer
                + " (has " + layers() + ")");
        return directions[layer].clone();
    }

    /** This set with every direction multiplied by {@code factor} (negative flips the behaviour). */
    public VectorSet scaled(float factor) {
        float[][] out = new float[numLayers()][];
        for (int l : layers()) {
            out[l] = directions[l].clone();
            for (int i = 0; i < out[l].length; i++) out[l][i] *= factor;
        }
        return new VectorSet(site, hiddenSize(), out);
    }

    /** The sum of two sets at the same site; a layer present in either is present in the sum. */
    public VectorSet plus(VectorSet other) {
        if (other.site != site || other.numLayers() != numLayers() || other.hiddenSize() != hiddenSize())
            throw new IllegalArgumentException("cannot add vector sets of different sites or shapes");
        float[][] out = new float[numLayers()][];
        for (int l = 0; l < numLayers(); l++) {
            if (!present[l] && !other.present[l]) continue;
            out[l] = directions[l].clone();
            for (int i = 0; i < out[l].length; i++) out[l][i] += other.directions[l][i];
        }
        return new VectorSet(site, hiddenSize(), out);
    }

    /**
     * The artifact storing this set.
     *
     * @throws ArtifactException when the fingerprint's layer count or hidden size differs
     */
    public Artifact toArtifact(String name, ModelFingerprint fingerprint, ObjectNode params,
                               Map<String, Double> metrics, Provenance provenance) {
        if (fingerprint.numLayers() != numLayers() || fingerprint.hiddenSize() != hiddenSize())
            throw new ArtifactException(name + ": vector set of " + numLayers() + " layers × " + hiddenSize()
                    + " does not match the fingerprint's " + fingerprint.numLayers() + " × " + fingerprint.hiddenSize());
        List<Integer> layers = layers();
        float[][] rows = new float[layers.size()][];
        for (int i = 0; i < rows.length; i++) rows[i] = directions[layers.get(i)];
        Manifest m = new Manifest(name, ArtifactKind.VECTOR_SET, fingerprint, site, layers, params, metrics, provenance);
        return new Artifact(m, Map.of(DIRECTIONS, FloatTensor.of(rows, hiddenSize())));
    }

    /**
     * Reads the set out of a {@code vector-set} artifact.
     *
     * @throws ArtifactException naming the artifact when its kind, tensor or shapes are wrong
     */
    public static VectorSet from(Artifact a) {
        Manifest m = a.manifest();
        if (m.kind() != ArtifactKind.VECTOR_SET)
            throw new ArtifactException(m.name() + ": kind is " + m.kind().jsonName() + ", expected vector-set");
        FloatTensor t = a.tensor(DIRECTIONS);
        int d = m.fingerprint().hiddenSize();
        if (t.shape().length != 2 || t.shape()[0] != m.layers().size() || t.shape()[1] != d)
            throw new ArtifactException(m.name() + ": tensor '" + DIRECTIONS + "' has shape " + Arrays.toString(t.shape())
                    + ", expected [" + m.layers().size() + ", " + d + "] (one row per manifest layer)");
        float[][] dirs = new float[m.fingerprint().numLayers()][];
        for (int i = 0; i < m.layers().size(); i++) dirs[m.layers().get(i)] = t.row(i);
        try {
            return new VectorSet(m.site(), d, dirs);
        } catch (ArtifactException e) {
            throw new ArtifactException(m.name() + ": " + e.getMessage());
        }
    }
}
