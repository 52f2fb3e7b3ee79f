package dev.vane.attention;

/**
 * Builds additive attention masks from absolute positions (never from a plain "causal" flag,
 * which is wrong when there are fewer queries than keys).
 *
 * <p>Query {@code (b, t)} at absolute position {@code q} may see key {@code j} at absolute
 * position {@code k} iff {@code k <= q} and, with a sliding window {@code W}, {@code k > q - W}.
 */
public final class AttentionMask {

    private AttentionMask() {}

    /** Whether a key at position {@code k} is visible from a query at {@code q}. */
    public static boolean visible(int q, int k, int window) {
        return k <= q && (window <= 0 || k > q - window);
    }

    /** The first key position visible from a query at {@code q} (keys {@code first .. q} are). */
    public static int firstVisible(int q, int window) {
        return window > 0 ? Math.max(0, q - window + 1) : 0;
    }

    /**
     * Additive mask, row-major {@code [B, T, K]}: 0 where visible, -inf elsewhere.
     *
     * @param queryPositions {@code [B][T]} absolute positions of the queries
     * @param keyPositions {@code [B][K]} absolute positions of the keys
     * @param window sliding window length, or 0 for none
     */
    public static float[] additive(int[][] queryPositions, int[][] keyPositions, int window) {
        int b = queryPositions.length;
        int t = queryPositions[0].length;
        int k = keyPositions[0].length;
        float[] mask = new float[b * t * k];
        for (int r = 0; r < b; r++)
            for (int i = 0; i < t; i++)
                for (int j = 0; j < k; j++)
                    mask[(r * t + i) * k + j] =
                            visible(queryPositions[r][i], keyPositions[r][j], window) ? 0f : Float.NEGATIVE_INFINITY;
        return mask;
    }

    /** True when every key is visible to every query, so the mask can be skipped. */
    public static boolean allVisible(int[][] queryPositions, int[][] keyPositions, int window) {
        for (int r = 0; r < queryPositions.length; r++)
            for (int q : queryPositions[r])
                for (int k : keyPositions[r])
                    if (!visible(q, k, window)) return false;
        return true;
    }
}
