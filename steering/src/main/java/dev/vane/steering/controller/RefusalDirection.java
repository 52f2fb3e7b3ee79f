package dev.vane.steering.controller;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The direction {@code d̂} that the steering controller scales per layer
 * ({@code h_l[t] += s·α·w_l·d̂_l}; "Guiding Giants", arXiv 2505.20309; methods.md §1). It points
 * from compliance towards refusal, so a positive scale steers towards refusing.
 *
 * <p>The paper's sources give one unit vector shared by every layer. {@link Source#ACTIVATION_GAPS}
 * gives each layer its own, unnormalised: a direction estimated at one layer means little at
 * another, and the residual stream's scale grows with depth (on the demo model the harmful–benign
 * gap is 1.3 at block 0 and 50 at block 5), so a unit vector scaled by one α shoves the early
 * layers and barely touches the late ones.
 *
 * @param source how the direction was estimated
 * @param rows   one {@code [D]} row shared by all layers (a unit vector), or one row per layer
 *               ({@link Source#ACTIVATION_GAPS}: the raw mean difference)
 */
public record RefusalDirection(Source source, float[][] rows) {

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
        ACTIVATION_MEANS,
        /**
         * One direction per layer: the harmful minus benign mean residual activation at the last
         * prompt token <em>at that layer</em>, not normalised, so {@code α·w_l = 1} moves a
         * prompt's activation by one class-mean gap at layer l. Not in the paper; see the class
         * comment.
         */
        ACTIVATION_GAPS;

        /** Whether the direction has one row per layer. */
        public boolean perLayer() { return this == ACTIVATION_GAPS; }
    }

    public RefusalDirection {
        if (source == null) throw new IllegalArgumentException("source must not be null");
        if (rows == null || rows.length == 0 || rows[0] == null || rows[0].length == 0)
            throw new IllegalArgumentException("rows must be non-empty");
        if (!source.perLayer() && rows.length != 1)
            throw new IllegalArgumentException(source + " has one shared row, got " + rows.length);
        for (float[] r : rows)
            if (r == null || r.length != rows[0].length) throw new IllegalArgumentException("rows must all have length " + rows[0].length);
    }

    /** A direction shared by every layer. */
    public static RefusalDirection shared(Source source, float[] unit) {
        return new RefusalDirection(source, new float[][] {unit});
    }

    /** The shared unit vector {@code [D]}. @throws IllegalStateException for a per-layer direction */
    public float[] unit() {
        if (source.perLayer()) throw new IllegalStateException(source + " has one direction per layer");
        return rows[0];
    }

    /** The direction at {@code layer}, {@code [D]}. */
    public float[] at(int layer) {
        if (!source.perLayer()) return rows[0];
        if (layer < 0 || layer >= rows.length) throw new IllegalArgumentException("layer " + layer + " outside 0-" + (rows.length - 1));
        return rows[layer];
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
        return shared(Source.EMBEDDING_CENTROIDS, normalisedDifference(refusal, compliance));
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
        return shared(Source.EMBEDDING_CENTROIDS, normalisedDifference(refusal, compliance));
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
        return shared(Source.ACTIVATION_MEANS, normalisedDifference(h, b));
    }

    /**
     * {@link Source#ACTIVATION_GAPS} from last-prompt-token residual activations at every layer,
     * {@code harmful [L][N][D]} and {@code benign [L][M][D]}.
     */
    public static RefusalDirection fromActivationGaps(float[][][] harmful, float[][][] benign) {
        if (harmful == null || benign == null || harmful.length == 0 || harmful.length != benign.length)
            throw new IllegalArgumentException("harmful and benign must have the same non-zero number of layers");
        float[][] rows = new float[harmful.length][];
        for (int l = 0; l < harmful.length; l++) {
            if (harmful[l].length == 0) throw new IllegalArgumentException("harmful must be non-empty");
            if (benign[l].length == 0) throw new IllegalArgumentException("benign must be non-empty");
            int d = harmful[l][0].length;
            double[] h = mean(harmful[l], d, "harmful"), b = mean(benign[l], d, "benign");
            rows[l] = new float[d];
            for (int j = 0; j < d; j++) rows[l][j] = (float) (h[j] - b[j]);
        }
        return new RefusalDirection(Source.ACTIVATION_GAPS, rows);
    }

    /** Hidden size D. */
    public int size() { return rows[0].length; }

    /** Rows flattened row-major: {@code [D]} or {@code [L·D]}. */
    public float[] flat() {
        float[] out = new float[rows.length * size()];
        for (int l = 0; l < rows.length; l++) System.arraycopy(rows[l], 0, out, l * size(), size());
        return out;
    }

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
