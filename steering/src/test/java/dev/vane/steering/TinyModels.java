package dev.vane.steering;

import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.weights.FileDType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/** Seeded random-weight checkpoints for steering tests, written once per test JVM. */
public final class TinyModels {

    private static final ConcurrentHashMap<String, Path> CACHE = new ConcurrentHashMap<>();

    private TinyModels() {}

    /** The engine's tiny Llama preset (2 layers, D = 64, vocabulary 512) in f32. */
    public static Path tinyLlama(long seed) {
        return of("tiny-llama-" + seed, Preset.TINY_LLAMA.config(), seed);
    }

    /** A checkpoint of any geometry, cached under {@code key}. */
    public static Path of(String key, ModelConfig config, long seed) {
        return CACHE.computeIfAbsent(key, k -> {
            try {
                Path dir = Files.createTempDirectory("vane-steering-" + k);
                dir.toFile().deleteOnExit();
                return FixtureWriter.write(config, FileDType.F32, seed, dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
