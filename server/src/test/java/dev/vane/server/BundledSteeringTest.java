package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.hooks.Component;
import dev.vane.steering.DemoModelDir;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.artifact.VectorSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The steering files a model bundles (steering/): installed into the registry at start, its profiles loaded without flags. */
class BundledSteeringTest {

    @TempDir
    Path tmp;

    private static final String PROMPT = "The old town was quiet that evening, and";

    /** The server on the bundled model with nothing but a fresh registry: every bundled profile loads, changes greedy output and reports itself. */
    @Test
    void everyBundledProfileLoadsChangesTheGreedyOutputAndReportsItself() throws Exception {
        Path model = DemoModelDir.path();
        JsonNode file = TestServer.read(Files.readString(model.resolve("steering").resolve("profiles.json")));
        List<JsonNode> profiles = new ArrayList<>();
        file.get("profiles").forEach(profiles::add);
        assertThat(profiles).hasSizeGreaterThanOrEqualTo(5);
        ServerSettings s = ServerSettings.defaults(model).withPort(0)
                .withAdmin(new ServerSettings.Admin(tmp.resolve("registry"), 0, Optional.empty(), 64L << 20, Optional.empty()));
        try (VaneServer server = Main.start(s)) {
            TestServer t = TestServer.wrap(server, s);
            for (JsonNode p : profiles) {
                String name = p.get("name").asText(), prompt = p.path("example").asText(PROMPT);
                assertThat(Files.isDirectory(tmp.resolve("registry").resolve(p.get("interventions").get(0).get("artifact").asText())))
                        .as("%s's artifact installed", name).isTrue();
                JsonNode plain = t.ok("/v1/completions", body(prompt, "none"));
                JsonNode steered = t.ok("/v1/completions", body(prompt, name));
                assertThat(steered.get("choices").get(0).get("text").asText()).as("profile %s changes the greedy text", name)
                        .isNotEqualTo(plain.get("choices").get(0).get("text").asText());
                assertThat(plain.has("vane")).isFalse();
                JsonNode vane = steered.get("vane");
                assertThat(vane.get("profile").asText()).isEqualTo(name);
                assertThat(vane.get("applied")).isNotEmpty();
                vane.get("applied").forEach(a -> assertThat(a.get("source").asText()).isEqualTo(name));
            }
        }
    }

    /** A registry that already holds another "romance": the bundled profile naming it is left out, the others load. */
    @Test
    void aBundledProfileThatDoesNotResolveIsLeftOutAndTheServerStarts() throws Exception {
        Path model = DemoModelDir.path();
        ModelFingerprint fp = ModelFingerprint.of(HfConfig.read(model));
        ArtifactRegistry registry = new ArtifactRegistry(tmp.resolve("registry"));
        registry.save(vectors(fp, 1f).toArtifact("romance", fp, JsonNodeFactory.instance.objectNode(), Map.of(),
                Provenance.now("user", "1".repeat(64)))); // a vector on layer 1 only: the bundled profile asks for layer 2
        ServerSettings s = ServerSettings.defaults(model).withPort(0)
                .withAdmin(new ServerSettings.Admin(tmp.resolve("registry"), 0, Optional.empty(), 64L << 20, Optional.empty()));
        try (VaneServer server = Main.start(s)) {
            TestServer t = TestServer.wrap(server, s);
            TestServer.assertError(t.post("/v1/completions", body(PROMPT, "romance")), 400, "vane.profile");
            assertThat(t.ok("/v1/completions", body(PROMPT, "glad")).get("vane").get("profile").asText()).isEqualTo("glad");
        }
        // named with --profiles, the same file stops the start, naming the file and the profile
        ServerSettings strict = s.withAdmin(new ServerSettings.Admin(tmp.resolve("registry"), 0, Optional.empty(), 64L << 20,
                Optional.of(model.resolve("steering").resolve("profiles.json"))));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Main.start(strict)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("profiles.json").hasMessageContaining("profiles[0]");
    }

    private static String body(String prompt, String profile) {
        return "{\"prompt\": " + TestServer.JSON.valueToTree(prompt) + ", \"max_tokens\": 12, \"temperature\": 0, \"repetition_penalty\": 1.3,"
                + " \"vane\": {\"profile\": \"" + profile + "\"}}";
    }

    @Test
    void theRegistrysOwnArtifactIsKeptAndAnotherModelsIsSkipped() throws Exception {
        Path model = Files.createDirectories(tmp.resolve("model"));
        Files.copy(DemoModelDir.path().resolve("config.json"), model.resolve("config.json"));
        ModelFingerprint fp = ModelFingerprint.of(HfConfig.read(model));
        ModelFingerprint other = new ModelFingerprint(fp.architecture(), fp.hiddenSize(), fp.numLayers(), fp.vocabSize() + 1);
        Path bundled = model.resolve("steering").resolve("artifacts");
        vectors(fp, 1f).toArtifact("mine", fp, JsonNodeFactory.instance.objectNode(), Map.of(), Provenance.now("bundle", "0".repeat(64)))
                .write(bundled.resolve("mine"));
        vectors(fp, 1f).toArtifact("fresh", fp, JsonNodeFactory.instance.objectNode(), Map.of(), Provenance.now("bundle", "0".repeat(64)))
                .write(bundled.resolve("fresh"));
        vectors(fp, 1f).toArtifact("foreign", other, JsonNodeFactory.instance.objectNode(), Map.of(), Provenance.now("bundle", "0".repeat(64)))
                .write(bundled.resolve("foreign"));
        ArtifactRegistry registry = new ArtifactRegistry(tmp.resolve("registry"));
        Artifact own = vectors(fp, 2f).toArtifact("mine", fp, JsonNodeFactory.instance.objectNode(), Map.of(),
                Provenance.now("user", "1".repeat(64)));
        registry.save(own);
        BundledSteering.Installed r = BundledSteering.install(model, registry, fp);
        assertThat(r.copied()).containsExactly("fresh");
        assertThat(r.kept()).containsExactly("mine");
        assertThat(r.skipped()).containsExactly("foreign");
        assertThat(r.profiles()).isEmpty();
        assertThat(registry.manifest("mine")).isEqualTo(own.manifest()); // the user's stays
        assertThat(registry.exists("foreign")).isFalse();
        // a second start changes nothing
        BundledSteering.Installed again = BundledSteering.install(model, registry, fp);
        assertThat(again.copied()).isEmpty();
        assertThat(again.kept()).containsExactly("fresh", "mine");
        // a GGUF file bundles nothing
        assertThat(BundledSteering.install(tmp.resolve("model.gguf"), registry, fp).copied()).isEmpty();
    }

    private static VectorSet vectors(ModelFingerprint fp, float value) {
        float[][] dirs = new float[fp.numLayers()][];
        dirs[1] = new float[fp.hiddenSize()];
        java.util.Arrays.fill(dirs[1], value);
        return new VectorSet(Component.RESID_POST, fp.hiddenSize(), dirs);
    }
}
