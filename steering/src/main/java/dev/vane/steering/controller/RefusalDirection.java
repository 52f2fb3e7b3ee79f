package dev.vane.steering.controller;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The unit direction {@code d̂} that the steering controller scales per layer
 * ({@code h_l[t] += s·α·w_l·d̂}; "Guiding Giants", arXiv 2505.20309; methods.md §1). It points
 * from compliance towards refusal, so a positive scale steers towards refusing.
 *
 * @param source how the direction was estimated
 * @param unit   {@code [D]} unit vector
 */
public record RefusalDirection(Source source, float[] unit) {

    /** Where the direction comes from. */
    public enum Source {
        /**
         * The authors' released code: centroids of the <em>input-embedding</em> rows of refusal
         * phrase tokens ("I'm sorry", "I cannot", ...) minus compliance tokens ("Sure", "Here", ...).
         * Needs no forward pass, but lives in embedding space rather than the residual stream.
         */
        EMBEDDING_CENTROIDS,
        /**
         * The standard refusal direction: mean residual activation at the last prompt token over
         * harmful instructions minus over harmless ones, at one layer.
         */
        ACTIVATION_MEANS
    }

    public RefusalDirection {
        if (source == null) throw new IllegalArgumentException("source must not be null");
        if (unit == null || unit.length == 0) throw new IllegalArgumentException("unit must be non-empty");
    }

    /**
     * {@link Source#EMBEDDING_CENTROIDS} from an embedding matrix {@code [V][D]}. Token ids are
     * used as given: a token listed twice weighs twice in its centroid.
     */
    public static RefusalDirection fromEmbeddings(float[][] embedding, int[] refusalIds, int[] complianceIds) {
        if (embedding == null || embedding.length == 0) throw new IllegalArgumentException("embedding must be non-empty");
        int d = embedding[0].length;
        double[] refusal = centroid(ids -> embedding[ids], refusalIds, embedding.length, d, "refusalIds");
        double[] compliance = centroid(ids -> embedding[ids], complianceIds, embedding.length, d, "complianceIds");
        return new RefusalDirection(Source.EMBEDDING_CENTROIDS, normalisedDifference(refusal, compliance));
    }

    /**
     * {@link Source#EMBEDDING_CENTROIDS} from the model's embedding weight {@code [V, D]} (any
     * float type; only the listed rows are read, converted to f32).
     */
    public static RefusalDirection fromEmbeddings(NDArray embedding, int[] refusalIds, int[] complianceIds) {
        if (embedding == null || embedding.getShape().dimension() != 2)
            throw new IllegalArgumentException("embedding must be a [V, D] array");
        int v = Math.toIntExact(embedding.getShape().get(0));
        int d = Math.toIntExact(embedding.getShape().get(1));
        Row rows = id -> {
            try (NDArray row = embedding.get(id); NDArray f = row.toType(DataType.FLOAT32, true)) {
                return f.toFloatArray();
            }
        };
        double[] refusal = centroid(rows, refusalIds, v, d, "refusalIds");
        double[] compliance = centroid(rows, complianceIds, v, d, "complianceIds");
        return new RefusalDirection(Source.EMBEDDING_CENTROIDS, normalisedDifference(refusal, compliance));
    }

    /**
     * {@link Source#ACTIVATION_MEANS} from last-prompt-token residual activations at one layer,
     * {@code harmful [N][D]} and {@code benign [M][D]}.
     */
    public static RefusalDirection fromActivations(float[][] harmful, float[][] benign) {
        if (harmful == null || harmful.length == 0) throw new IllegalArgumentException("harmful must be non-empty");
        if (benign == null || benign.length == 0) throw new IllegalArgumentException("benign must be non-empty");
        int d = harmful[0].length;
        double[] h = mean(harmful, d, "harmful");
        double[] b = mean(benign, d, "benign");
        return new RefusalDirection(Source.ACTIVATION_MEANS, normalisedDifference(h, b));
    }

    /** Hidden size D. */
    public int size() { return unit.length; }

    @FunctionalInterface
    private interface Row {
        float[] of(int id);
    }

    private static double[] centroid(Row rows, int[] ids, int vocab, int d, String name) {
        if (ids == null || ids.length == 0) throw new IllegalArgumentException(name + " must be non-empty");
        double[] sum = new double[d];
        for (int id : ids) {
            if (id < 0 || id >= vocab) throw new IllegalArgumentException(name + " must be in [0, " + vocab + "), got " + id);
            float[] row = rows.of(id);
            if (row.length != d) throw new IllegalArgumentException("embedding rows must all have length " + d);
            for (int j = 0; j < d; j++) sum[j] += row[j];
        }
        for (int j = 0; j < d; j++) sum[j] /= ids.length;
        return sum;
    }

    private static double[] mean(float[][] x, int d, String name) {
        double[] sum = new double[d];
        for (float[] row : x) {
            if (row.length != d) throw new IllegalArgumentException(name + " rows must all have length " + d);
            for (int j = 0; j < d; j++) sum[j] += row[j];
        }
        for (int j = 0; j < d; j++) sum[j] /= x.length;
        return sum;
    }

    private static float[] normalisedDifference(double[] a, double[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("the two sides must have one width, " + a.length + " vs " + b.length);
        double[] diff = new double[a.length];
        double norm = 0;
        for (int j = 0; j < a.length; j++) {
            diff[j] = a[j] - b[j];
            norm += diff[j] * diff[j];
        }
        norm = Math.sqrt(norm);
        if (!(norm > 0)) throw new IllegalArgumentException("the two centroids coincide: no direction");
        float[] out = new float[a.length];
        for (int j = 0; j < a.length; j++) out[j] = (float) (diff[j] / norm);
        return out;
    }
}
