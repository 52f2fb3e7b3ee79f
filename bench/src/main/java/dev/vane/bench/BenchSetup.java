package dev.vane.bench;

import dev.vane.engine.model.Backend;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LoadOptions;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The options every generation benchmark shares, parsed once: {@code --model DIR | --preset NAME}
 * (default {@code smollm2-135m}), {@code --dtype} (f16), {@code --backend} (auto: chosen as the
 * server chooses), {@code --threads} (2), {@code --prompt-len} (32), {@code --gen-len} (64).
 */
record BenchSetup(Map<String, String> args, int threads, ComputeDType dtype, Backend.Request backend, int promptLen, int genLen,
                  Path dir, String label) {

    static BenchSetup of(String[] argv) throws Exception {
        Map<String, String> a = DecodeBench.parse(argv);
        int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
        ComputeDType dtype = ComputeDType.parse(a.getOrDefault("dtype", "f16"));
        Backend.Request backend = Backend.Request.parse(a.getOrDefault("backend", "auto"));
        Path dir = a.containsKey("model") ? Path.of(a.get("model")) : DecodeBench.presetDir(a.getOrDefault("preset", "smollm2-135m"));
        String label = a.containsKey("model") ? dir.toString() : a.getOrDefault("preset", "smollm2-135m");
        return new BenchSetup(a, threads, dtype, backend, Integer.parseInt(a.getOrDefault("prompt-len", "32")),
                Integer.parseInt(a.getOrDefault("gen-len", "64")), dir, label);
    }

    String get(String key, String fallback) { return args.getOrDefault(key, fallback); }

    /** How the model loads: as the server loads it, for a context of {@code positions}. */
    LoadOptions load(int positions) {
        return new LoadOptions(Optional.of(dtype), positions, backend, threads);
    }
}
