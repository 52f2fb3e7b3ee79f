package dev.vane.steering.task;

import dev.vane.steering.plan.ArtifactResolver;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@code task-embedding} artifact stores (arXiv 2507.20906): the task embedding ē, the mean
 * per-head attention output at the last token of few-shot prompts, and the head-selection logits
 * θ, whose sigmoid α weighs ē against each head's own output at injection.
 *
 * @param embedding ē {@code [L, H, Dh]} flattened
 * @param logits    θ {@code [L, H]} flattened
 */
public record TaskEmbeddingWeights(int numLayers, int numHeads, int headDim, float[] embedding, float[] logits) {

    /** Tensor names in the artifact. */
    public static final String EMBEDDING = "embedding", LOGITS = "logits";

    public TaskEmbeddingWeights {
        if (numLayers < 1 || numHeads < 1 || headDim < 1)
            throw new IllegalArgumentException("bad shape " + numLayers + "x" + numHeads + "x" + headDim);
        if (embedding.length != numLayers * numHeads * headDim)
            throw new IllegalArgumentException(EMBEDDING + ": " + embedding.length + " values, expected [" + numLayers + ", "
                    + numHeads + ", " + headDim + "]");
        if (logits.length != numLayers * numHeads)
            throw new IllegalArgumentException(LOGITS + ": " + logits.length + " values, expected [" + numLayers + ", " + numHeads + "]");
        for (float v : embedding) if (!Float.isFinite(v)) throw new IllegalArgumentException(EMBEDDING + ": not finite");
        for (float v : logits) if (Float.isNaN(v)) throw new IllegalArgumentException(LOGITS + ": NaN");
    }

    /** α = sigmoid(θ) {@code [L, H]}; θ = ±∞ gives exactly 1 or 0. */
    public float[] alpha() {
        float[] a = new float[logits.length];
        for (int i = 0; i < a.length; i++) a[i] = (float) (1 / (1 + Math.exp(-logits[i])));
        return a;
    }

    /** The plan's view. */
    public ArtifactResolver.TaskEmbedding view(String name) {
        return new ArtifactResolver.TaskEmbedding(name, numLayers, numHeads, headDim, embedding.clone(), alpha());
    }

    public Map<String, float[]> data() {
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put(EMBEDDING, embedding);
        m.put(LOGITS, logits);
        return m;
    }

    public Map<String, long[]> shapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(EMBEDDING, new long[] {numLayers, numHeads, headDim});
        m.put(LOGITS, new long[] {numLayers, numHeads});
        return m;
    }

    /** @throws IllegalArgumentException naming the tensor that is missing or of the wrong shape */
    public static TaskEmbeddingWeights fromTensors(Map<String, float[]> data, Map<String, long[]> shapes) {
        long[] e = shape(shapes, EMBEDDING, 3), t = shape(shapes, LOGITS, 2);
        if (t[0] != e[0] || t[1] != e[1])
            throw new IllegalArgumentException(LOGITS + ": shape [" + t[0] + ", " + t[1] + "] does not match "
                    + EMBEDDING + " [" + e[0] + ", " + e[1] + ", " + e[2] + "]");
        return new TaskEmbeddingWeights((int) e[0], (int) e[1], (int) e[2], data.get(EMBEDDING), data.get(LOGITS));
    }

    private static long[] shape(Map<String, long[]> shapes, String name, int rank) {
        long[] s = shapes.get(name);
        if (s == null) throw new IllegalArgumentException("tensor '" + name + "' missing");
        if (s.length != rank) throw new IllegalArgumentException(name + ": rank " + s.length + ", expected " + rank);
        return s;
    }
}
