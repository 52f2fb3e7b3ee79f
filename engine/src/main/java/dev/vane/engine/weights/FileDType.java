package dev.vane.engine.weights;

import java.util.Arrays;
import java.util.Optional;

/** Element types a safetensors file may hold that Vane reads. */
public enum FileDType {
    F32("F32", 4, "float32"),
    F16("F16", 2, "float16"),
    BF16("BF16", 2, "bfloat16");

    private final String tag;
    private final int bytes;
    private final String torchName;

    FileDType(String tag, int bytes, String torchName) {
        this.tag = tag;
        this.bytes = bytes;
        this.torchName = torchName;
    }

    public String tag() { return tag; }
    public int bytes() { return bytes; }
    /** The {@code torch_dtype} string of {@code config.json}. */
    public String torchName() { return torchName; }

    public static Optional<FileDType> fromTag(String tag) {
        return Arrays.stream(values()).filter(d -> d.tag.equals(tag)).findFirst();
    }

    public static FileDType parse(String s) {
        return switch (s.toLowerCase()) {
            case "f32", "float32" -> F32;
            case "f16", "float16" -> F16;
            case "bf16", "bfloat16" -> BF16;
            default -> throw new IllegalArgumentException("unknown dtype '" + s + "' (f32, f16, bf16)");
        };
    }
}
