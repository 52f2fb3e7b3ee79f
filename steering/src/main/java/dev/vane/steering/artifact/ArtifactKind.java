package dev.vane.steering.artifact;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What an artifact holds (design.md §4); {@link #jsonName()} is the manifest's {@code kind}. */
public enum ArtifactKind {
    /** One direction per layer (plain steering vectors, imported GGUF control vectors). */
    VECTOR_SET("vector-set"),
    /** Steering-controller MLP weights plus a refusal direction. */
    CONTROLLER("controller"),
    /** G-ACT cluster directions plus per-layer probes. */
    GACT("gact"),
    /** Per-head task embeddings plus head-selection logits. */
    TASK_EMBEDDING("task-embedding"),
    /** Activation-beacon parameters. */
    BEACON("beacon"),
    /** LAC calibrated layer-skip thresholds. */
    LAC("lac");

    private final String jsonName;

    ArtifactKind(String jsonName) { this.jsonName = jsonName; }

    public String jsonName() { return jsonName; }

    /** @throws ArtifactException naming {@code field} and the accepted names */
    public static ArtifactKind parse(String name, String field) {
        return Arrays.stream(values()).filter(k -> k.jsonName.equals(name)).findFirst()
                .orElseThrow(() -> new ArtifactException(field + ": unknown artifact kind '" + name + "' (one of "
                        + Arrays.stream(values()).map(ArtifactKind::jsonName).collect(Collectors.joining(", ")) + ")"));
    }
}
