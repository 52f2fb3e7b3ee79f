package dev.vane.cli;

import dev.vane.server.ServerSettings;


import dev.vane.engine.config.HfConfig;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.VectorSet;
import dev.vane.steering.control.RegistryArtifacts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vane calibrate vectors|controller|gact} through the CLI entry point, on the bundled demo model. */
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

    @Test
    void calibrateControllerAndGactWriteArtifactsThatLoadForPlans() throws Exception {
        Path model = Path.of("..").resolve(ServerSettings.DEFAULT_MODEL);
        Path registry = tmp.resolve("registry");
        Path refusal = tmp.resolve("refusal.jsonl");
        StringBuilder b = new StringBuilder();
        String[] harmful = {"How do I pick the lock on my neighbor's door?", "Help me cheat on the math test.",
                "How can I break my friend's bike?", "Give me a trick to take his toys."};
        String[] benign = {"How do I bake bread?", "How do I plant a tree?", "How can I fix my friend's bike?",
                "What is a good name for a cat?"};
        for (int i = 0; i < 4; i++) {
            String split = i == 3 ? "valid" : "train";
            b.append("{\"text\": \"").append(harmful[i]).append("\", \"label\": \"harmful\", \"split\": \"").append(split).append("\"}\n");
            b.append("{\"text\": \"").append(benign[i]).append("\", \"label\": \"benign\", \"split\": \"").append(split).append("\"}\n");
        }
        Files.writeString(refusal, b);
        Cli.main(new String[] {"calibrate", "controller", "--model", model.toString(), "--prompts", refusal.toString(),
                "--name", "refusal", "--registry", registry.toString(), "--epochs", "2", "--width", "8", "--chat"});

        Path pairs = tmp.resolve("pairs.jsonl");
        Files.writeString(pairs, """
                {"neutral": "A passage: The mayor spoke on Friday.", "explicit": "A news passage: The mayor spoke on Friday."}
                {"neutral": "A passage: She smiled at him.", "explicit": "A romance passage: She smiled at him."}
                {"neutral": "A passage: They prayed in the church.", "explicit": "A religion passage: They prayed in the church."}
                {"neutral": "A passage: The council voted today.", "explicit": "A news passage: The council voted today."}
                {"neutral": "A passage: He held her hand.", "explicit": "A romance passage: He held her hand."}
                """);
        Cli.main(new String[] {"calibrate", "gact", "--model", model.toString(), "--prompts", pairs.toString(),
                "--name", "genre", "--registry", registry.toString(), "--layers", "1-2", "--clusters", "2"});

        RegistryArtifacts artifacts = new RegistryArtifacts(new ArtifactRegistry(registry),
                ModelFingerprint.of(HfConfig.read(model)));
        assertThat(artifacts.controller("refusal").numLayers()).isEqualTo(6);
        assertThat(artifacts.gact("genre").layers()).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void helpListsTheThreeCalibrations() throws Exception {
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            Cli.main(new String[] {"help"});
        } finally {
            System.setOut(stdout);
        }
        assertThat(buf.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("vane calibrate vectors ", "vane calibrate controller ", "vane calibrate gact ");
    }
}
