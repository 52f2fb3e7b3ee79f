package dev.vane.bench;

import dev.vane.engine.model.ComputeDType;

import java.nio.file.Path;
import java.util.Map;

/**
 * The options every generation benchmark shares, parsed once: {@code --model DIR | --preset NAME}
 * (default {@code smollm2-135m}), {@code --dtype} (f16), {@code --threads} (2), {@code --prompt-len}
 * (32), {@code --gen-len} (64), with the engine's threads set up as the server sets them
 * ({@link DecodeBench#engineThreads}) before anything starts the engine.
 */
record BenchSetup(Map<String, String> args, int threads, ComputeDType dtype, int javaKernel, int promptLen, int genLen,
                  Path dir, String label) {

    static BenchSetup of(String[] argv) throws Exception {
        Map<String, String> a = DecodeBench.parse(argv);
        int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
        ComputeDType dtype = ComputeDType.parse(a.getOrDefault("dtype", "f16"));
        int javaKernel = DecodeBench.engineThreads(a, dtype, threads);
        Path dir = a.containsKey("model") ? Path.of(a.get("model")) : DecodeBench.presetDir(a.getOrDefault("preset", "smollm2-135m"));
        String label = a.containsKey("model") ? dir.toString() : a.getOrDefault("preset", "smollm2-135m");
        return new BenchSetup(a, threads, dtype, javaKernel, Integer.parseInt(a.getOrDefault("prompt-len", "32")),
                Integer.parseInt(a.getOrDefault("gen-len", "64")), dir, label);
    }

    String get(String key, String fallback) { return args.getOrDefault(key, fallback); }
}
