package dev.vane.steering.controller;


import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A trained controller and its refusal direction as named f32 tensors, for the artifact format
 * (design.md §4, kind {@code controller}), in Hugging Face {@code [out, in]} layout:
 * <pre>
 *   fc1.weight [H, 4D]   fc1.bias [H]
 *   fc2.weight [1+L, H]  fc2.bias [1+L]     row 0 → s, rows 1..L → z_l
 *   direction  [D]       unit refusal direction d̂, shared by every layer, or
 *              [L, D]    one (unnormalised) direction per layer ({@link RefusalDirection.Source#ACTIVATION_GAPS})
 * </pre>
 * Arrays are shared, not copied: treat them as read-only.
 */
public record ControllerWeights(int hiddenSize, int layers, int width, float[] fc1Weight, float[] fc1Bias,
                                float[] fc2Weight, float[] fc2Bias, float[] direction) {

    /** Blocks whose outputs feed the controller: the last four. */
    public static final int FEATURE_BLOCKS = 4;

    public static void checkDims(int hiddenSize, int layers, int width) {
        if (hiddenSize < 1) throw new IllegalArgumentException("hiddenSize must be >= 1, got " + hiddenSize);
        if (layers < 1) throw new IllegalArgumentException("layers must be >= 1, got " + layers);
        if (width < 1) throw new IllegalArgumentException("width must be >= 1, got " + width);
    }



    private static final Set<String> NAMES = Set.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "direction");

    public ControllerWeights {
        checkDims(hiddenSize, layers, width);
        int in = FEATURE_BLOCKS * hiddenSize;
        check(fc1Weight, (long) width * in, "fc1Weight");
        check(fc1Bias, width, "fc1Bias");
        check(fc2Weight, (long) (1 + layers) * width, "fc2Weight");
        check(fc2Bias, 1 + layers, "fc2Bias");
        if (direction == null || (direction.length != hiddenSize && direction.length != (long) layers * hiddenSize))
            throw new IllegalArgumentException("direction must have " + hiddenSize + " or " + (long) layers * hiddenSize
                    + " values, got " + (direction == null ? "null" : direction.length));
    }

    /** Whether each layer has its own direction ({@code [L, D]}). */
    public boolean perLayerDirection() { return direction.length != hiddenSize; } // with L = 1 the two layouts coincide

    /** The direction at {@code layer}, {@code [D]} (a copy). */
    public float[] direction(int layer) {
        if (layer < 0 || layer >= layers) throw new IllegalArgumentException("layer " + layer + " outside 0-" + (layers - 1));
        int from = perLayerDirection() ? layer * hiddenSize : 0;
        return Arrays.copyOfRange(direction, from, from + hiddenSize);
    }

    /** The named tensors, flattened row-major; see {@link #shapes()}. */
    public Map<String, float[]> tensors() {
        Map<String, float[]> t = new LinkedHashMap<>();
        t.put("fc1.weight", fc1Weight);
        t.put("fc1.bias", fc1Bias);
        t.put("fc2.weight", fc2Weight);
        t.put("fc2.bias", fc2Bias);
        t.put("direction", direction);
        return t;
    }

    /** The shape of each tensor of {@link #tensors()}. */
    public Map<String, long[]> shapes() {
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("fc1.weight", new long[] {width, FEATURE_BLOCKS * (long) hiddenSize});
        s.put("fc1.bias", new long[] {width});
        s.put("fc2.weight", new long[] {1 + layers, width});
        s.put("fc2.bias", new long[] {1 + layers});
        s.put("direction", perLayerDirection() ? new long[] {layers, hiddenSize} : new long[] {hiddenSize});
        return s;
    }

    /** Inverse of {@link #tensors()}/{@link #shapes()}: D, L and H are read from the shapes. */
    public static ControllerWeights fromTensors(Map<String, float[]> tensors, Map<String, long[]> shapes) {
        if (tensors == null || shapes == null) throw new IllegalArgumentException("tensors and shapes are required");
        if (!tensors.keySet().equals(NAMES) || !shapes.keySet().containsAll(NAMES))
            throw new IllegalArgumentException("tensors must be exactly " + NAMES + ", got " + tensors.keySet());
        long[] fc1 = shapes.get("fc1.weight"), fc2 = shapes.get("fc2.weight"), dir = shapes.get("direction");
        if (fc1.length != 2 || fc2.length != 2 || dir.length < 1 || dir.length > 2)
            throw new IllegalArgumentException("shapes must be 2-D for fc1/fc2 weights and [D] or [L, D] for direction");
        int d = Math.toIntExact(dir[dir.length - 1]);
        if (dir.length == 2 && dir[0] != fc2[0] - 1)
            throw new IllegalArgumentException("shapes: direction must have L=" + (fc2[0] - 1) + " rows, got " + dir[0]);
        if (fc1[1] != FEATURE_BLOCKS * (long) d)
            throw new IllegalArgumentException("shapes: fc1.weight must have 4D=" + 4L * d + " columns, got " + fc1[1]);
        if (fc2[1] != fc1[0])
            throw new IllegalArgumentException("shapes: fc2.weight must have H=" + fc1[0] + " columns, got " + fc2[1]);
        return new ControllerWeights(d, Math.toIntExact(fc2[0] - 1), Math.toIntExact(fc1[0]),
                tensors.get("fc1.weight"), tensors.get("fc1.bias"), tensors.get("fc2.weight"),
                tensors.get("fc2.bias"), tensors.get("direction"));
    }

    /** The refusal direction {@code d̂}; {@code source} must match its shape (per layer or shared). */
    public RefusalDirection refusalDirection(RefusalDirection.Source source) {
        if (source.perLayer() != perLayerDirection())
            throw new IllegalArgumentException(source + " does not match a " + (perLayerDirection() ? "per-layer" : "shared") + " direction");
        float[][] rows = new float[perLayerDirection() ? layers : 1][];
        for (int l = 0; l < rows.length; l++) rows[l] = direction(l);
        return new RefusalDirection(source, rows);
    }

    /** Plain-Java controller forward of one feature vector {@code [4D]}. */
    public ControllerOutput evaluate(float[] features) {
        return new Mlp(FEATURE_BLOCKS * hiddenSize, width, 1 + layers,
                fc1Weight, fc1Bias, fc2Weight, fc2Bias).evaluate(features);
    }

    private static void check(float[] x, long expected, String name) {
        if (x == null || x.length != expected)
            throw new IllegalArgumentException(name + " must have " + expected + " values, got " + (x == null ? "null" : x.length));
    }
}
