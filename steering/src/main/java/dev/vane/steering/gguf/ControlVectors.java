package dev.vane.steering.gguf;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.gguf.GgmlType;
import dev.vane.engine.gguf.GgufException;
import dev.vane.engine.gguf.GgufFile;
import dev.vane.engine.gguf.GgufTensorInfo;
import dev.vane.engine.gguf.GgufValue;
import dev.vane.engine.gguf.GgufWriter;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.text.Snippet;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.artifact.VectorSet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * llama.cpp / repeng control vectors in GGUF, to and from {@link VectorSet}.
 *
 * <p>The layout, as llama.cpp's {@code --control-vector} loader reads it: one F32 tensor
 * {@code direction.N} of shape {@code [n_embd]} per block N, added to the output of block N
 * (0-based) — our {@code RESID_POST(N)}. llama.cpp rejects {@code direction.0} and never applies a
 * vector to block 0 (its per-layer table starts at block 1), so a vector for block 0 cannot be
 * expressed in this format: import rejects such a file and export rejects such a set, rather than
 * silently dropping a layer. repeng also writes {@code controlvector.model_hint} (the Hugging
 * Face {@code model_type}, e.g. {@code llama}) and {@code controlvector.layer_count} (the number
 * of direction tensors); when present they are checked.
 */
public final class ControlVectors {

    public static final String MODEL_HINT = "controlvector.model_hint";
    public static final String LAYER_COUNT = "controlvector.layer_count";
    private static final Pattern DIRECTION = Pattern.compile("direction\\.(\\d{1,9})");

    private ControlVectors() {}

    /** {@link #importGguf(Path, ModelFingerprint, long)} with the registry's default size limit. */
    public static VectorSet importGguf(Path file, ModelFingerprint model) {
        return importGguf(file, model, ArtifactRegistry.DEFAULT_MAX_BYTES);
    }

    /**
     * Reads a control-vector file as a {@code RESID_POST} vector set for {@code model}.
     *
     * @throws GgufException naming the file and the tensor or key at fault: a tensor that is not
     *         {@code direction.N}, N = 0 or beyond the model's layers, a type other than F32, a
     *         length other than the model's hidden size, a model hint of another architecture, a
     *         layer count that disagrees with the tensors, or no direction at all
     */
    public static VectorSet importGguf(Path file, ModelFingerprint model, long maxBytes) {
        try (GgufFile g = GgufFile.open(file, maxBytes)) {
            return toVectorSet(g, model);
        }
    }

    private static VectorSet toVectorSet(GgufFile g, ModelFingerprint model) {
        Path file = g.path();
        GgufValue hint = g.metadata().get(MODEL_HINT);
        if (hint != null) {
            String h = value(file, MODEL_HINT, hint::asString).toLowerCase(Locale.ROOT);
            String ours = ModelFingerprint.name(model.architecture());
            if (!h.equals(ours))
                throw new GgufException(file + ": " + MODEL_HINT + " is '" + h + "' but the model is " + ours);
        }
        float[][] dirs = new float[model.numLayers()][];
        int count = 0;
        for (GgufTensorInfo t : g.tensors().values()) {
            Matcher m = DIRECTION.matcher(t.name());
            if (!m.matches())
                throw new GgufException(file + ": tensor '" + Snippet.of(t.name()) + "' is not a control vector (expected direction.N)");
            int layer = Integer.parseInt(m.group(1));
            if (layer == 0)
                throw new GgufException(file + ": tensor 'direction.0': llama.cpp control vectors never apply to block 0");
            if (layer >= model.numLayers())
                throw new GgufException(file + ": tensor '" + t.name() + "': block " + layer + " beyond the model's "
                        + model.numLayers() + " layers");
            if (t.typeId() != GgmlType.F32.id())
                throw new GgufException(file + ": tensor '" + t.name() + "': type " + GgmlType.describe(t.typeId())
                        + ", control vectors are F32");
            if (t.dims().length != 1 || t.dims()[0] != model.hiddenSize())
                throw new GgufException(file + ": tensor '" + t.name() + "': shape " + java.util.Arrays.toString(t.dims())
                        + ", expected [" + model.hiddenSize() + "] (the model's hidden size)");
            dirs[layer] = g.floats(t.name());
            for (float f : dirs[layer])
                if (!Float.isFinite(f)) throw new GgufException(file + ": tensor '" + t.name() + "': non-finite value");
            count++;
        }
        if (count == 0) throw new GgufException(file + ": no direction.N tensors");
        GgufValue lc = g.metadata().get(LAYER_COUNT);
        if (lc != null) {
            long n = value(file, LAYER_COUNT, lc::asLong);
            if (n != count)
                throw new GgufException(file + ": " + LAYER_COUNT + " is " + n + " but the file has " + count + " direction tensors");
        }
        return new VectorSet(Component.RESID_POST, model.hiddenSize(), dirs);
    }

    /**
     * Imports a control-vector file as a {@code vector-set} artifact named {@code name}, with the
     * file's SHA-256 as provenance and its model hint (if any) in the params.
     */
    public static Artifact importArtifact(Path file, String name, ModelFingerprint model, long maxBytes, String command) {
        VectorSet v;
        GgufValue hint;
        try (GgufFile g = GgufFile.open(file, maxBytes)) {
            v = toVectorSet(g, model);
            hint = g.metadata().get(MODEL_HINT);
        }
        ObjectNode params = JsonNodeFactory.instance.objectNode()
                .put("method", "gguf-import").put("source", file.getFileName().toString());
        if (hint != null) params.put("model_hint", hint.asString());
        return v.toArtifact(name, model, params, Map.of(), Provenance.now(command, Provenance.sha256(file)));
    }

    /**
     * Writes a {@code RESID_POST} vector set in the llama.cpp / repeng layout.
     *
     * @param modelHint the Hugging Face {@code model_type} to record ({@code llama}, {@code qwen2}...)
     * @throws GgufException when the set is at another site or has a direction for block 0
     */
    public static void exportGguf(VectorSet v, String modelHint, Path file) throws IOException {
        if (v.site() != Component.RESID_POST)
            throw new GgufException(file + ": control vectors act on block outputs (resid_post), not " + v.site());
        if (v.has(0))
            throw new GgufException(file + ": the set has a direction for layer 0, which llama.cpp control vectors cannot express");
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "controlvector")
                .putString(MODEL_HINT, modelHint)
                .putUint32(LAYER_COUNT, v.layers().size());
        for (int l : v.layers()) w.addTensor("direction." + l, GgmlType.F32, v.direction(l), v.hiddenSize());
        w.write(file);
    }

    private interface Getter<T> { T get(); }

    private static <T> T value(Path file, String key, Getter<T> g) {
        try {
            return g.get();
        } catch (GgufException e) {
            throw new GgufException(file + ": " + key + ": " + e.getMessage());
        }
    }
}
