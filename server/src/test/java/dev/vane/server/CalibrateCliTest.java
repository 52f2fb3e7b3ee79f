package dev.vane.server;

import dev.vane.engine.config.HfConfig;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.VectorSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vane calibrate vectors} through the CLI entry point, on the bundled demo model. */
class CalibrateCliTest {

    @TempDir
    Path tmp;

    @Test
    void calibrateVectorsWritesAnArtifactTheRegistryLoads() throws Exception {
        Path model = Path.of("..").resolve(ServerSettings.DEFAULT_MODEL);
        Path prompts = tmp.resolve("pairs.jsonl");
        Files.writeString(prompts, """
                {"positive": "What a wonderful day!", "negative": "What an awful day.", "split": "train"}
                {"positive": "I loved the film.", "negative": "I hated the film.", "split": "train"}
                {"positive": "The meal was delicious.", "negative": "The meal was disgusting.", "split": "train"}
                {"positive": "Such a lovely song.", "negative": "Such a dreadful song.", "split": "valid"}
                """);
        Path registry = tmp.resolve("registry");

        Cli.main(new String[] {"calibrate", "vectors", "--model", model.toString(), "--prompts", prompts.toString(),
                "--name", "sentiment", "--registry", registry.toString(), "--layers", "2-4"});

        VectorSet v = VectorSet.from(new ArtifactRegistry(registry)
                .load("sentiment", ModelFingerprint.of(HfConfig.read(model))));
        assertThat(v.layers()).containsExactly(2, 3, 4);
    }
}
