package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.model.ComputeDType;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactKind;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.artifact.VectorSet;
import dev.vane.steering.control.MethodArtifacts;
import dev.vane.steering.task.TaskEmbeddingWeights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code {"kind": "task"}} interventions on a real server (tiny Llama, 2 layers of 4 heads): parsed, applied, traced, counted. */
class TaskSteeringApiTest {

    private static VaneServer server;
    private static TestServer t;

    @BeforeAll
    static void start() throws IOException {
        Path model = TestServer.modelDir("vane-task-model", true);
        Path registry = Files.createTempDirectory("vane-task-registry");
        var c = Preset.TINY_LLAMA3_VOCAB.config();
        ModelFingerprint fp = ModelFingerprint.of(c);
        int l = c.numLayers(), h = c.numHeads(), dh = c.headDim();
        SplittableRandom r = new SplittableRandom(3);
        float[] e = new float[l * h * dh];
        for (int i = 0; i < e.length; i++) e[i] = (float) (8 * (r.nextDouble() * 2 - 1));
        float[] theta = new float[l * h];
        Arrays.fill(theta, 6f); // α ≈ 0.998
        TaskEmbeddingWeights w = new TaskEmbeddingWeights(l, h, dh, e, theta);
        Provenance p = Provenance.now("test", "0".repeat(64));
        ArtifactRegistry reg = new ArtifactRegistry(registry);
        reg.save(new Artifact(new Manifest("upper", ArtifactKind.TASK_EMBEDDING, fp, Component.ATTN_HEADS,
                IntStream.range(0, l).boxed().toList(), JsonNodeFactory.instance.objectNode(), Map.of(), p),
                MethodArtifacts.tensors(w.data(), w.shapes())));
        float[][] dirs = new float[l][];
        dirs[1] = new float[c.hiddenSize()];
        Arrays.fill(dirs[1], 0.1f);
        reg.save(new VectorSet(Component.RESID_POST, c.hiddenSize(), dirs).toArtifact("shift", fp,
                JsonNodeFactory.instance.objectNode(), Map.of(), p));
        ServerSettings s = ServerSettings.defaults(model).withPort(0).withEngine(ComputeDType.F32, 2, 8, 256)
                .withAdmin(new ServerSettings.Admin(registry, 0, Optional.of("test-admin-token-0123456789"), 1 << 20, Optional.empty()));
        server = Main.start(s);
        t = TestServer.wrap(server, s);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode generate(String vane) {
        return t.ok("/v1/generate", "{\"prompt\": \"Q: tree\\nA:\", \"max_tokens\": 8, \"temperature\": 0"
                + (vane == null ? "" : ", \"vane\": " + vane) + "}");
    }

    @Test
    void aTaskInterventionInjectsOncePerSequenceAndIsTracedAndCounted() {
        String base = generate(null).get("text").asText();
        JsonNode steered = generate("{\"interventions\": [{\"kind\": \"task\", \"artifact\": \"upper\"}], \"trace\": true}");
        assertThat(steered.get("text").asText()).isNotEqualTo(base);
        JsonNode applied = steered.get("vane").get("applied");
        assertThat(applied).hasSize(1);
        assertThat(applied.get(0).get("kind").asText()).isEqualTo("task");
        assertThat(applied.get(0).get("artifact").asText()).isEqualTo("upper");
        assertThat(applied.get(0).get("positions").asLong()).as("the last prompt token only").isEqualTo(1);
        assertThat(t.metric("vane_interventions_applied_total{method=\"task\",profile=\"inline\"}")).isGreaterThan(0);
    }

    @Test
    void badTaskInterventionsAre400sNamingTheField() {
        String pre = "{\"prompt\": \"x\", \"max_tokens\": 2, \"vane\": {\"interventions\": [";
        TestServer.assertError(t.post("/v1/generate", pre + "{\"kind\": \"task\", \"artifact\": \"upper\", \"scale\": 2}]}}"),
                400, "vane.interventions[0].scale");
        TestServer.assertError(t.post("/v1/generate", pre + "{\"kind\": \"task\", \"artifact\": \"shift\"}]}}"), 400,
                "vane.interventions[0].artifact");
        TestServer.assertError(t.post("/v1/generate", pre + "{\"kind\": \"task\"}]}}"), 400, "vane.interventions[0].artifact");
    }
}
