package dev.vane.steering.control;

/** An artifact as a client sends it, in one of the two formats {@link ArtifactAdmin#store} accepts. */
public sealed interface ArtifactUpload {

    /**
     * A Vane artifact: its manifest (JSON text) and its tensors (safetensors bytes).
     * The manifest's name must be the name it is stored under.
     */
    record Vane(String manifestJson, byte[] tensors) implements ArtifactUpload {}

    /** A llama.cpp / repeng control vector: the bytes of its GGUF file, imported as a vector set. */
    record Gguf(byte[] file) implements ArtifactUpload {}
}
