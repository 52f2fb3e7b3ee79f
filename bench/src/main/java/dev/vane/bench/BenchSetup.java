package dev.vane.bench;

import dev.vane.engine.model.ComputeDType;

import java.nio.file.Path;

/**
 * The options every generation benchmark shares ({@link BenchModel}, {@link EngineThreads}),
 * with the engine's threads set up as the server sets them ({@link DecodeBench#engineThreads})
 * before anything starts the engine.
 */
record BenchSetup(int threads, ComputeDType dtype, int javaKernel, int promptLen, int genLen, Path dir, String label) {

    static BenchSetup of(BenchModel m, EngineThreads t) throws Exception {
        int javaKernel = DecodeBench.engineThreads(t, m.dtype, m.threads);
        return new BenchSetup(m.threads, m.dtype, javaKernel, m.promptLen, m.genLen, m.dir(), m.label());
    }
}
