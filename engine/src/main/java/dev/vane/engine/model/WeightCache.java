package dev.vane.engine.model;

import java.util.Locale;

/**
 * Whether the Java decoder keeps its packed weights in a file beside the checkpoint
 * ({@code .vane/packed-f16.bin}, see {@code PackedCache}), so that a later start maps them
 * instead of converting and packing the checkpoint again ({@code --weights-cache}).
 */
public enum WeightCache {
    /** Read the file when it is current; write it when it is missing or stale and the directory is writable. */
    AUTO,
    /** Neither read nor write it. */
    OFF;

    public static WeightCache parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "off" -> OFF;
            default -> throw new IllegalArgumentException("weights-cache must be auto or off, got '" + s + "'");
        };
    }
}
