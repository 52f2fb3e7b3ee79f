package dev.vane.engine.model;

import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.weights.FileDType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/** Writes each tiny fixture once per test JVM into a temporary directory. */
public final class Fixtures {

    private static final ConcurrentHashMap<String, Path> CACHE = new ConcurrentHashMap<>();

    private Fixtures() {}

    /** A fixture of a Llama-3-vocabulary preset with the Llama 3 tokenizer files beside it. */
    public static Path withLlama3Tokenizer(Preset preset, FileDType dtype, long seed) {
        Path dir = of(preset, dtype, seed);
        for (String f : java.util.List.of("tokenizer.json", "tokenizer_config.json"))
            try (java.io.InputStream in = Fixtures.class.getResourceAsStream("/tokenizers/llama3/" + f)) {
                Files.copy(in, dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        return dir;
    }

    public static Path of(Preset preset, FileDType dtype, long seed) {
        return CACHE.computeIfAbsent(preset.id() + "-" + dtype + "-" + seed, key -> {
            try {
                Path dir = Files.createTempDirectory("vane-fixture-" + key);
                dir.toFile().deleteOnExit();
                return FixtureWriter.write(preset.config(), dtype, seed, dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
