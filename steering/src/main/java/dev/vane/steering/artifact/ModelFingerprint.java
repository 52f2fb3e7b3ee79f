package dev.vane.steering.artifact;

import dev.vane.engine.config.Architecture;
import dev.vane.engine.config.ModelConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * The model geometry an artifact was fitted to. Directions and probes only mean something in the
 * residual basis of the model that produced them, so loading an artifact into another model must
 * fail loudly rather than steer with noise; these four fields catch the usual mix-ups (another
 * family, another size, another fine-tune's vocabulary).
 */
public record ModelFingerprint(Architecture architecture, int hiddenSize, int numLayers, int vocabSize) {

    public ModelFingerprint {
        if (architecture == null) throw new ArtifactException("fingerprint.architecture: missing");
        if (hiddenSize <= 0) throw new ArtifactException("fingerprint.hidden_size: must be > 0, got " + hiddenSize);
        if (numLayers <= 0) throw new ArtifactException("fingerprint.num_layers: must be > 0, got " + numLayers);
        if (vocabSize <= 0) throw new ArtifactException("fingerprint.vocab_size: must be > 0, got " + vocabSize);
    }

    public static ModelFingerprint of(ModelConfig c) {
        return new ModelFingerprint(c.architecture(), c.hiddenSize(), c.numLayers(), c.vocabSize());
    }

    /**
     * Checks that an artifact fitted to this fingerprint may be used with {@code model}.
     *
     * @param artifact the artifact's name, for the message
     * @throws ArtifactException naming the artifact and every field that differs
     */
    public void check(String artifact, ModelFingerprint model) {
        List<String> diffs = new ArrayList<>();
        if (architecture != model.architecture)
            diffs.add("architecture " + name(architecture) + " vs model " + name(model.architecture));
        if (hiddenSize != model.hiddenSize) diffs.add("hidden_size " + hiddenSize + " vs model " + model.hiddenSize);
        if (numLayers != model.numLayers) diffs.add("num_layers " + numLayers + " vs model " + model.numLayers);
        if (vocabSize != model.vocabSize) diffs.add("vocab_size " + vocabSize + " vs model " + model.vocabSize);
        if (!diffs.isEmpty())
            throw new ArtifactException("artifact '" + artifact + "' was made for another model: "
                    + String.join(", ", diffs));
    }

    /** The manifest spelling of an architecture: the enum name in lower case ({@code llama}). */
    public static String name(Architecture a) { return a.name().toLowerCase(java.util.Locale.ROOT); }

    /** @throws ArtifactException naming {@code field} */
    public static Architecture parseArchitecture(String s, String field) {
        for (Architecture a : Architecture.values()) if (name(a).equals(s)) return a;
        throw new ArtifactException(field + ": unknown architecture '" + s + "'");
    }
}
