package dev.vane.steering.gact;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fitted G-ACT state (arXiv 2506.18887): per selected layer, k steering directions and the
 * probe that picks one of them. Exported as named f32 tensors so that the artifact format
 * (design.md §4, kind {@code gact}) can store it without knowing this class:
 * <pre>
 *   layer.{l}.directions    [k, D]   cluster means μ_l,c of explicit − neutral activations
 *   layer.{l}.probe.weight  [k, D]   softmax probe W (HF [out, in] layout)
 *   layer.{l}.probe.bias    [k]
 *   layer.{l}.probe.mean    [D]      the probe fit's feature standardisation μ, σ (refinement
 *   layer.{l}.probe.scale   [D]      steps in that space); absent in artifacts made without them
 * </pre>
 * Arrays are shared, not copied: treat them as read-only.
 *
 * @param hiddenSize D
 * @param clusters   k
 * @param layers     model layer index → that layer's directions and probe
 */
public record GactWeights(int hiddenSize, int clusters, SortedMap<Integer, Layer> layers) {

    private static final Pattern NAME = Pattern.compile("layer\\.(\\d+)\\.(directions|probe\\.weight|probe\\.bias|probe\\.mean|probe\\.scale)");

    /** One layer: {@code directions [k][D]} and a k-class probe on D inputs. */
    public record Layer(float[][] directions, SoftmaxProbe probe) {
        public Layer {
            if (directions == null || probe == null) throw new IllegalArgumentException("directions and probe are required");
            if (directions.length != probe.classes())
                throw new IllegalArgumentException("directions must have k=" + probe.classes() + " rows, got " + directions.length);
            for (float[] d : directions)
                if (d.length != probe.inputSize())
                    throw new IllegalArgumentException("directions rows must have length D=" + probe.inputSize());
        }
    }

    public GactWeights {
        if (hiddenSize < 1) throw new IllegalArgumentException("hiddenSize must be >= 1, got " + hiddenSize);
        if (clusters < 2) throw new IllegalArgumentException("clusters must be >= 2, got " + clusters);
        if (layers == null || layers.isEmpty()) throw new IllegalArgumentException("layers must be non-empty");
        for (Map.Entry<Integer, Layer> e : layers.entrySet()) {
            if (e.getKey() < 0) throw new IllegalArgumentException("layers keys must be >= 0, got " + e.getKey());
            Layer l = e.getValue();
            if (l.probe().classes() != clusters || l.probe().inputSize() != hiddenSize)
                throw new IllegalArgumentException("layers[" + e.getKey() + "] must have k=" + clusters + ", D=" + hiddenSize);
        }
        layers = Collections.unmodifiableSortedMap(new TreeMap<>(layers));
    }

    /** The named tensors, flattened row-major; see {@link #shapes()}. */
    public Map<String, float[]> tensors() {
        Map<String, float[]> out = new LinkedHashMap<>();
        layers.forEach((l, layer) -> {
            out.put("layer." + l + ".directions", flatten(layer.directions()));
            out.put("layer." + l + ".probe.weight", flatten(layer.probe().weight()));
            out.put("layer." + l + ".probe.bias", layer.probe().bias());
            layer.probe().standardisation().ifPresent(s -> {
                out.put("layer." + l + ".probe.mean", s.mean());
                out.put("layer." + l + ".probe.scale", s.scale());
            });
        });
        return out;
    }

    /** The shape of each tensor of {@link #tensors()}. */
    public Map<String, long[]> shapes() {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (int l : layers.keySet()) {
            out.put("layer." + l + ".directions", new long[] {clusters, hiddenSize});
            out.put("layer." + l + ".probe.weight", new long[] {clusters, hiddenSize});
            out.put("layer." + l + ".probe.bias", new long[] {clusters});
            if (layers.get(l).probe().standardisation().isPresent()) {
                out.put("layer." + l + ".probe.mean", new long[] {hiddenSize});
                out.put("layer." + l + ".probe.scale", new long[] {hiddenSize});
            }
        }
        return out;
    }

    /** Inverse of {@link #tensors()}/{@link #shapes()}; fails on unknown names or inconsistent shapes. */
    public static GactWeights fromTensors(Map<String, float[]> tensors, Map<String, long[]> shapes) {
        if (tensors == null || shapes == null) throw new IllegalArgumentException("tensors and shapes are required");
        Map<Integer, float[][]> dirs = new TreeMap<>(), weights = new TreeMap<>();
        Map<Integer, float[]> biases = new TreeMap<>(), means = new TreeMap<>(), scales = new TreeMap<>();
        int k = -1, d = -1;
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            Matcher m = NAME.matcher(e.getKey());
            if (!m.matches()) throw new IllegalArgumentException("tensors has an unknown name: " + e.getKey());
            long[] shape = shapes.get(e.getKey());
            if (shape == null) throw new IllegalArgumentException("shapes lacks " + e.getKey());
            long numel = 1;
            for (long s : shape) numel *= s;
            if (numel != e.getValue().length)
                throw new IllegalArgumentException("tensors " + e.getKey() + " has " + e.getValue().length + " values for its shape");
            int layer = Integer.parseInt(m.group(1));
            if (m.group(2).equals("probe.bias")) {
                if (shape.length != 1) throw new IllegalArgumentException(e.getKey() + " must be 1-D");
                k = agree(k, (int) shape[0], "k");
                biases.put(layer, e.getValue().clone());
            } else if (m.group(2).equals("probe.mean") || m.group(2).equals("probe.scale")) {
                if (shape.length != 1) throw new IllegalArgumentException(e.getKey() + " must be 1-D");
                d = agree(d, (int) shape[0], "D");
                (m.group(2).equals("probe.mean") ? means : scales).put(layer, e.getValue().clone());
            } else {
                if (shape.length != 2) throw new IllegalArgumentException(e.getKey() + " must be 2-D");
                k = agree(k, (int) shape[0], "k");
                d = agree(d, (int) shape[1], "D");
                float[][] rows = unflatten(e.getValue(), (int) shape[0], (int) shape[1]);
                (m.group(2).equals("directions") ? dirs : weights).put(layer, rows);
            }
        }
        if (!dirs.keySet().equals(weights.keySet()) || !dirs.keySet().equals(biases.keySet()))
            throw new IllegalArgumentException("tensors must hold directions, probe.weight and probe.bias for every layer");
        if (!means.keySet().equals(scales.keySet()) || !dirs.keySet().containsAll(means.keySet()))
            throw new IllegalArgumentException("tensors must hold probe.mean and probe.scale together, for fitted layers only");
        SortedMap<Integer, Layer> layers = new TreeMap<>();
        for (int l : dirs.keySet())
            layers.put(l, new Layer(dirs.get(l), SoftmaxProbe.of(weights.get(l), biases.get(l),
                    means.containsKey(l) ? Optional.of(new SoftmaxProbe.Standardisation(means.get(l), scales.get(l))) : Optional.empty())));
        return new GactWeights(d, k, layers);
    }

    /** This state with {@code layer}'s probe replaced (e.g. after online refinement). */
    public GactWeights withProbe(int layer, SoftmaxProbe probe) {
        Layer old = layers.get(layer);
        if (old == null) throw new IllegalArgumentException("layer " + layer + " is not fitted");
        SortedMap<Integer, Layer> copy = new TreeMap<>(layers);
        copy.put(layer, new Layer(old.directions(), probe));
        return new GactWeights(hiddenSize, clusters, copy);
    }

    private static int agree(int seen, int value, String what) {
        if (seen >= 0 && seen != value) throw new IllegalArgumentException("shapes disagree on " + what + ": " + seen + " vs " + value);
        return value;
    }

    private static float[] flatten(float[][] x) {
        int d = x[0].length;
        float[] out = new float[x.length * d];
        for (int i = 0; i < x.length; i++) System.arraycopy(x[i], 0, out, i * d, d);
        return out;
    }

    private static float[][] unflatten(float[] flat, int rows, int cols) {
        float[][] out = new float[rows][cols];
        for (int i = 0; i < rows; i++) System.arraycopy(flat, i * cols, out[i], 0, cols);
        return out;
    }
}
