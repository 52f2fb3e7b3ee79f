package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.model.ComputeDType;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactKind;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.control.MethodArtifacts;
import dev.vane.steering.gact.GactWeights;
import dev.vane.steering.gact.SoftmaxProbe;
import java.util.List;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.artifact.VectorSet;
import dev.vane.steering.gguf.ControlVectors;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Per-request steering and the admin API on a real server (tiny Llama, 2 layers, hidden 64):
 * artifacts uploaded through the admin port, used inline and through profiles, validated, traced
 * and counted.
 */
class SteeringApiTest {

    private static final String TOKEN = "test-admin-token-0123456789";
    private static VaneServer server;
    private static TestServer t;
    private static Path registry;
    private static ModelFingerprint fingerprint;

    @BeforeAll
    static void start() throws IOException {
        Path model = TestServer.modelDir("vane-steer-model", true);
        registry = Files.createTempDirectory("vane-registry");
        ServerSettings s = ServerSettings.defaults(model).withPort(0).withEngine(ComputeDType.F32, 2, 8, 256)
                .withAdmin(new ServerSettings.Admin(registry, 0, Optional.of(TOKEN), 1 << 20, Optional.empty()));
        server = Main.start(s);
        t = TestServer.wrap(server, s);
        var c = Preset.TINY_LLAMA3_VOCAB.config();
        fingerprint = new ModelFingerprint(c.architecture(), c.hiddenSize(), c.numLayers(), c.vocabSize());
        // a control vector for block 1 (llama.cpp cannot express block 0), uploaded as GGUF
        Path gguf = Files.createTempFile("vane-cv", ".gguf");
        ControlVectors.exportGguf(vectors(1, 7), "llama", gguf);
        HttpResponse<String> r = admin("POST", "/admin/artifacts/shift?format=gguf", "application/octet-stream",
                HttpRequest.BodyPublishers.ofFile(gguf), TOKEN);
        assertEquals(201, r.statusCode(), r.body());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A vector set with a random direction of norm ~{@code norm·√D} at {@code layer}. */
    private static VectorSet vectors(int layer, long seed) {
        int d = fingerprint.hiddenSize();
        float[][] dirs = new float[fingerprint.numLayers()][];
        SplittableRandom r = new SplittableRandom(seed);
        dirs[layer] = new float[d];
        for (int i = 0; i < d; i++) dirs[layer][i] = (float) (r.nextDouble() * 2 - 1);
        return new VectorSet(Component.RESID_POST, d, dirs);
    }

    private static HttpResponse<String> admin(String method, String path, String type, HttpRequest.BodyPublisher body, String token) {
        return TestServer.admin(server, token, method, path, type, body);
    }

    private static HttpResponse<String> admin(String method, String path, String json) {
        return TestServer.admin(server, TOKEN, method, path, json);
    }

    private static JsonNode generate(String vane) {
        return t.ok("/v1/generate", "{\"prompt\": \"The quick brown fox\", \"max_tokens\": 12, \"temperature\": 0"
                + (vane == null ? "" : ", \"vane\": " + vane) + "}");
    }

    @Test
    void theAdminApiNeedsTheBearerToken() {
        assertThat(admin("GET", "/admin/status", null, HttpRequest.BodyPublishers.noBody(), null).statusCode()).isEqualTo(401);
        HttpResponse<String> wrong = admin("GET", "/admin/status", null, HttpRequest.BodyPublishers.noBody(), TOKEN + "x");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        HttpResponse<String> ok = admin("GET", "/admin/status", null);
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode s = TestServer.read(ok.body());
        assertThat(s.get("layers").asInt()).isEqualTo(fingerprint.numLayers());
        assertThat(s.get("artifacts").toString()).contains("shift");
        // the public port does not serve the admin API
        assertThat(t.get("/admin/status").statusCode()).isEqualTo(404);
    }

    @Test
    void anInlineVectorSteersTheAnswerAndTheResponseSaysWhatWasApplied() {
        String base = generate(null).get("text").asText();
        JsonNode steered = generate("{\"interventions\": [{\"kind\": \"vector\", \"artifact\": \"shift\", \"scale\": 40}]}");
        assertThat(steered.get("text").asText()).isNotEqualTo(base);
        JsonNode applied = steered.get("vane").get("applied");
        assertThat(applied).hasSize(1);
        assertThat(applied.get(0).get("kind").asText()).isEqualTo("vector");
        assertThat(applied.get(0).get("artifact").asText()).isEqualTo("shift");
        assertThat(applied.get(0).get("positions").asLong()).isGreaterThan(0);
        JsonNode zero = generate("{\"interventions\": [{\"kind\": \"vector\", \"artifact\": \"shift\", \"scale\": 0}]}");
        assertThat(zero.get("text").asText()).isEqualTo(base);
        assertThat(t.metric("vane_interventions_applied_total{method=\"vector\",profile=\"inline\"}")).isGreaterThan(0);
    }

    @Test
    void chatCompletionsTakeTheSameVaneObject() {
        HttpResponse<String> r = t.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}],"
                + " \"max_tokens\": 4, \"vane\": {\"interventions\": [{\"kind\": \"vector\", \"artifact\": \"shift\", \"scale\": 2,"
                + " \"layers\": [1, 1], \"phase\": \"generation\"}], \"trace\": true}}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode v = TestServer.read(r.body()).get("vane");
        assertThat(v.get("applied").get(0).get("phase").asText()).isEqualTo("generation");
        assertThat(v.get("timings")).isNotNull();
    }

    @Test
    void badInterventionsAre400sNamingTheField() {
        String pre = "{\"prompt\": \"x\", \"max_tokens\": 2, \"vane\": {\"interventions\": [";
        TestServer.assertError(t.post("/v1/generate", pre + "{\"kind\": \"vector\", \"artifact\": \"nope\"}]}}"), 400,
                "vane.interventions[0].artifact");
        TestServer.assertError(t.post("/v1/generate", pre + "{\"kind\": \"vector\", \"artifact\": \"shift\", \"layers\": [0, 9]}]}}"),
                400, "vane.interventions[0].layers");
        TestServer.assertError(t.post("/v1/generate", pre + "{\"kind\": \"vectr\", \"artifact\": \"shift\"}]}}"), 400,
                "vane.interventions[0].kind");
        TestServer.assertError(t.post("/v1/generate", pre + "{\"kind\": \"vector\", \"artifact\": \"shift\", \"scael\": 1}]}}"),
                400, "vane.interventions[0].scael");
        TestServer.assertError(t.post("/v1/generate", pre + "{\"kind\": \"vector\", \"artifact\": \"shift\", \"phase\": \"decode\"}]}}"),
                400, "vane.interventions[0].phase");
        TestServer.assertError(t.post("/v1/generate", pre + "{\"kind\": \"vector\", \"artifact\": \"../etc\"}]}}"), 400,
                "vane.interventions[0].artifact");
        TestServer.assertError(t.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 2, \"vane\": {\"profile\": \"ghost\"}}"),
                400, "vane.profile");
        TestServer.assertError(t.post("/v1/generate", pre + "{\"kind\": \"vector\", \"artifact\": \"shift\"}, "
                + "{\"kind\": \"vector\", \"artifact\": \"shift\", \"scale\": 1e300}]}}"), 400, "vane.interventions[1].scale");
        TestServer.assertError(t.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], "
                + "\"vane\": {\"interventions\": [{\"kind\": \"controller\", \"artifact\": \"shift\", \"alpha\": 1e41}]}}"),
                400, "vane.interventions[0].alpha");
    }

    @Test
    void profilesDefaultsAndTheGlobalSwitchApplyToNewRequests() {
        String base = generate(null).get("text").asText();
        HttpResponse<String> created = admin("POST", "/admin/profiles",
                "{\"name\": \"loud\", \"interventions\": [{\"kind\": \"vector\", \"artifact\": \"shift\", \"scale\": 40}]}");
        assertEquals(201, created.statusCode(), created.body());
        JsonNode viaProfile = generate("{\"profile\": \"loud\"}");
        assertThat(viaProfile.get("text").asText()).isNotEqualTo(base);
        assertThat(viaProfile.get("vane").get("applied").get(0).get("source").asText()).isEqualTo("loud");
        // the default profile applies to requests that name none
        assertEquals(200, admin("PUT", "/admin/steering", "{\"default_profile\": \"loud\"}").statusCode());
        assertThat(generate(null).get("text").asText()).isEqualTo(viaProfile.get("text").asText());
        // a request opts out of the default profile with "none"
        JsonNode optOut = generate("{\"profile\": \"none\"}");
        assertThat(optOut.get("text").asText()).isEqualTo(base);
        assertThat(optOut.has("vane")).isFalse();
        TestServer.assertError(admin("POST", "/admin/profiles", "{\"name\": \"none\", \"interventions\": []}"), 400, "name");
        // switched off: validated, reported, not applied
        assertEquals(200, admin("PUT", "/admin/steering", "{\"enabled\": false}").statusCode());
        JsonNode off = generate("{\"profile\": \"loud\"}");
        assertThat(off.get("text").asText()).isEqualTo(base);
        assertThat(off.get("vane").get("steering").asText()).isEqualTo("off");
        assertEquals(200, admin("PUT", "/admin/steering", "{\"enabled\": true, \"default_profile\": null}").statusCode());
        assertThat(generate(null).get("text").asText()).isEqualTo(base);
        // an artifact in use cannot be deleted; the profile can
        assertThat(admin("DELETE", "/admin/artifacts/shift", null).statusCode()).isEqualTo(409);
        assertThat(admin("DELETE", "/admin/profiles/loud", null).statusCode()).isEqualTo(204);
        assertThat(admin("DELETE", "/admin/profiles/loud", null).statusCode()).isEqualTo(404);
        assertThat(t.metric("vane_admin_changes_total{what=\"profile\"}")).isGreaterThanOrEqualTo(2);
        assertThat(t.metric("vane_admin_changes_total{what=\"steering\"}")).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aRunningRequestKeepsThePlanItWasAdmittedWith() throws Exception {
        assertEquals(201, admin("POST", "/admin/profiles",
                "{\"name\": \"moving\", \"interventions\": [{\"kind\": \"vector\", \"artifact\": \"shift\", \"scale\": 40}]}")
                .statusCode());
        HttpRequest req = HttpRequest.newBuilder(t.uri("/v1/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"Once upon a time\", \"max_tokens\": 120,"
                        + " \"temperature\": 0, \"ignore_eos\": true, \"stream\": true, \"vane\": {\"profile\": \"moving\"}}"))
                .build();
        HttpResponse<java.util.stream.Stream<String>> r = TestServer.HTTP.send(req, HttpResponse.BodyHandlers.ofLines());
        var lines = r.body().iterator();
        String first = lines.next();
        while (first.isEmpty() || first.startsWith(":")) first = lines.next(); // keep-alive comments on a slow machine
        assertThat(first).startsWith("data: "); // admitted and generating
        assertEquals(200, admin("PUT", "/admin/profiles/moving",
                "{\"interventions\": [{\"kind\": \"vector\", \"artifact\": \"shift\", \"scale\": 0.5}]}").statusCode());
        JsonNode last = null;
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("data: {")) {
                JsonNode chunk = TestServer.read(line.substring(6));
                if (chunk.has("vane")) last = chunk;
            }
        }
        assertThat(last).as("final chunk with the vane object").isNotNull();
        assertThat(last.get("vane").get("applied").get(0).get("scale").asDouble()).isEqualTo(40.0);
        JsonNode after = generate("{\"profile\": \"moving\"}");
        assertThat(after.get("vane").get("applied").get(0).get("scale").asDouble()).isEqualTo(0.5);
        assertThat(admin("DELETE", "/admin/profiles/moving", null).statusCode()).isEqualTo(204);
    }

    @Test
    void profilesComeFromAConfigFileToo() throws IOException {
        Path file = Files.createTempFile("vane-profiles", ".json");
        Files.writeString(file, "{\"profiles\": [{\"name\": \"from-config\", \"interventions\": "
                + "[{\"kind\": \"vector\", \"artifact\": \"shift\", \"scale\": 3}]}]}");
        ProfilesFile.load(file, server.steering());
        assertThat(admin("GET", "/admin/profiles/from-config", null).statusCode()).isEqualTo(200);
        assertThat(generate("{\"profile\": \"from-config\"}").get("vane").get("applied").get(0).get("scale").asDouble())
                .isEqualTo(3.0);
        Files.writeString(file, "{\"profiles\": [{\"name\": \"bad\", \"interventions\": "
                + "[{\"kind\": \"vector\", \"artifact\": \"ghost\"}]}]}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProfilesFile.load(file, server.steering()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("profiles[0].interventions[0].artifact");
        Files.writeString(file, "{\"profiles\": [], \"default_profile\": \"ghost\"}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProfilesFile.load(file, server.steering()))
                .hasMessageContaining("default_profile");
        assertThat(admin("DELETE", "/admin/profiles/from-config", null).statusCode()).isEqualTo(204);
    }

    @Test
    void layerSkippingIsTracedPerTokenAndTheAdminSetsADefault() {
        JsonNode r = generate("{\"layer_skip\": {\"mode\": \"trace\", \"alpha\": 0.8}, \"trace\": true}");
        JsonNode e = r.get("vane").get("applied").get(0);
        assertThat(e.get("kind").asText()).isEqualTo("layer_skip");
        assertThat(e.get("layer_usage").get("prompt").asDouble()).isBetween(0.0, 1.0);
        assertThat(e.get("layer_usage").get("generation").asDouble()).isBetween(0.0, 1.0);
        int promptTokens = t.ok("/v1/generate", "{\"prompt\": \"The quick brown fox\", \"max_tokens\": 1}").get("usage")
                .get("prompt_tokens").asInt();
        assertThat(e.get("token_layers")).hasSize(promptTokens + 12 - 1); // the last sample is never fed back
        assertThat(t.metric("vane_layers_executed_total{phase=\"prompt\"}")).isGreaterThan(0);
        TestServer.assertError(t.post("/v1/generate", "{\"prompt\": \"x\", \"vane\": {\"layer_skip\": {\"mode\": \"exits\"}}}"),
                400, "vane.layer_skip.mode");
        assertThat(e.get("layers_skipped").get("prompt").asLong()).isZero(); // trace changes nothing
        assertThat(e.get("skip_ratio").get("generation").asDouble()).isZero();
        for (String mode : new String[] {"exit", "skip-set", "readout"}) {
            JsonNode m = generate("{\"layer_skip\": {\"mode\": \"" + mode + "\", \"alpha\": 0.9, \"q\": 0.3}}");
            JsonNode a = m.get("vane").get("applied").get(0);
            assertThat(a.get("mode").asText()).isEqualTo(mode);
            long executed = a.get("layers_executed").get("generation").asLong(), skipped = a.get("layers_skipped").get("generation").asLong();
            assertThat((executed + skipped) % 11).as("11 generated tokens fed back, every layer executed or skipped").isZero();
            long layers = (executed + skipped) / 11;
            assertThat(a.get("skip_ratio").get("generation").asDouble()).isCloseTo((double) skipped / (executed + skipped), within(1e-12));
            if (mode.equals("skip-set")) {
                // the prompt's set is skipped for every generated token; the rule decides for prompt tokens only
                assertThat(skipped).isEqualTo(11L * a.get("skip_set").size());
                assertThat(a.get("skip_set").size()).isBetween(0, (int) layers); // this 2-layer model may void none
                assertThat(a.get("layer_usage").has("prompt")).isTrue();
                assertThat(a.get("layer_usage").has("generation")).isFalse();
                assertThat(a.get("layers_skipped").get("prompt").asLong()).isZero();
            }
            if (mode.equals("readout")) assertThat(skipped).isZero();
        }
        assertEquals(200, admin("PUT", "/admin/layer-skip", "{\"mode\": \"readout\", \"alpha\": 0.6}").statusCode());
        assertThat(TestServer.read(admin("GET", "/admin/layer-skip", null).body()).get("mode").asText()).isEqualTo("readout");
        JsonNode d = generate(null).get("vane").get("applied").get(0);
        assertThat(d.get("mode").asText()).isEqualTo("readout");
        assertThat(d.get("source").asText()).isEqualTo("default");
        assertThat(TestServer.read(admin("GET", "/admin/status", null).body()).get("layer_skip").get("mode").asText()).isEqualTo("readout");
        // a request turns the default off for itself
        assertThat(generate("{\"layer_skip\": {\"mode\": \"off\"}}").has("vane")).isFalse();
        TestServer.assertError(admin("PUT", "/admin/layer-skip", "{\"mode\": \"fast\"}"), 400, "mode");
        assertThat(TestServer.read(admin("PUT", "/admin/layer-skip", "{\"mode\": \"fast\"}").body()).toString())
                .contains("must be off, trace, readout, exit or skip-set");
        TestServer.assertError(admin("PUT", "/admin/layer-skip", "{\"mode\": \"readout\", \"alpha\": 3}"), 400, "alpha");
        assertEquals(200, admin("PUT", "/admin/layer-skip", "{\"mode\": \"off\"}").statusCode());
        assertThat(generate(null).has("vane")).isFalse();
        assertThat(TestServer.read(admin("GET", "/admin/status", null).body()).get("layer_skip").get("mode").asText()).isEqualTo("off");
        assertThat(t.metric("vane_admin_changes_total{what=\"layer_skip\"}")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void profileBodiesAreValidated() {
        TestServer.assertError(admin("POST", "/admin/profiles", "{\"name\": \"Bad Name\", \"interventions\": []}"), 400, "name");
        TestServer.assertError(admin("POST", "/admin/profiles",
                "{\"name\": \"p\", \"interventions\": [{\"kind\": \"vector\", \"artifact\": \"ghost\"}]}"), 400,
                "interventions[0].artifact");
        TestServer.assertError(admin("POST", "/admin/profiles",
                "{\"name\": \"p\", \"interventions\": [{\"kind\": \"vector\", \"artifact\": \"shift\", \"scale\": 1e300}]}"),
                400, "interventions[0].scale");
        TestServer.assertError(admin("PUT", "/admin/steering", "{\"default_profile\": \"ghost\"}"), 400, "default_profile");
        TestServer.assertError(admin("GET", "/admin/profiles/ghost", null), 404, "name");
        TestServer.assertError(admin("POST", "/admin/profiles",
                "{\"name\": \"p\", \"interventions\": [{\"kind\": \"layer_skip\", \"mode\": \"exit\"}]}"), 400, "interventions[0].kind");
    }

    @Test
    void theDefaultProfileCannotBeDeletedWhileItIsTheDefault() {
        assertEquals(201, admin("POST", "/admin/profiles", "{\"name\": \"fallback\", \"interventions\": []}").statusCode());
        assertEquals(200, admin("PUT", "/admin/steering", "{\"default_profile\": \"fallback\"}").statusCode());
        try {
            JsonNode err = TestServer.assertError(admin("DELETE", "/admin/profiles/fallback", null), 409, "name");
            assertThat(err.get("message").asText()).contains("change the default first");
        } finally {
            assertEquals(200, admin("PUT", "/admin/steering", "{\"default_profile\": null}").statusCode());
        }
        assertEquals(204, admin("DELETE", "/admin/profiles/fallback", null).statusCode());
    }

    @Test
    void artifactUploadsAreCheckedAndNamesCannotEscapeTheRegistry() throws IOException {
        assertThat(admin("POST", "/admin/artifacts/shift?format=gguf", "application/octet-stream",
                HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3}), TOKEN).statusCode()).isEqualTo(409);
        TestServer.assertError(admin("POST", "/admin/artifacts/broken?format=gguf", "application/octet-stream",
                HttpRequest.BodyPublishers.ofByteArray("GGUF-not-really".getBytes()), TOKEN), 400, "body");
        for (String bad : new String[] {"..%2Fescape", "Upper", ".hidden", "a%2Fb"})
            assertThat(admin("POST", "/admin/artifacts/" + bad + "?format=gguf", "application/octet-stream",
                    HttpRequest.BodyPublishers.ofByteArray(new byte[] {1}), TOKEN).statusCode()).as(bad).isIn(400, 404);
        try (var files = Files.list(registry)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .contains("shift").doesNotContain("broken", "escape", "Upper", ".hidden", "a", "b");
        }
        assertThat(registry.getParent().resolve("escape")).doesNotExist();
        // a Vane artifact in JSON: a wrong fingerprint is refused, the right one stored, listed and usable
        Path dir = Files.createTempDirectory("vane-art");
        ModelFingerprint other = new ModelFingerprint(fingerprint.architecture(), fingerprint.hiddenSize(),
                fingerprint.numLayers(), fingerprint.vocabSize() + 1);
        vectors(0, 3).toArtifact("wrong", other, JsonNodeFactory.instance.objectNode(), Map.of(),
                Provenance.now("test", "0".repeat(64))).write(dir.resolve("wrong"));
        TestServer.assertError(admin("POST", "/admin/artifacts/wrong", upload(dir.resolve("wrong"))), 400, "manifest.fingerprint");
        vectors(0, 3).toArtifact("layer0", fingerprint, JsonNodeFactory.instance.objectNode(), Map.of(),
                Provenance.now("test", "0".repeat(64))).write(dir.resolve("layer0"));
        assertThat(admin("POST", "/admin/artifacts/layer0", upload(dir.resolve("layer0"))).statusCode()).isEqualTo(201);
        assertThat(admin("GET", "/admin/artifacts", null).body()).contains("layer0").contains("shift");
        JsonNode r = generate("{\"interventions\": [{\"kind\": \"vector\", \"artifact\": \"layer0\", \"scale\": 1}]}");
        assertThat(r.get("vane").get("applied").get(0).get("layers").toString()).isEqualTo("[0]"); // the layer with a vector
        r = generate("{\"interventions\": [{\"kind\": \"vector\", \"artifact\": \"layer0\", \"scale\": 1, \"layers\": [0, 1]}]}");
        assertThat(r.get("vane").get("applied").get(0).get("layers").toString()).isEqualTo("[0]"); // not the range asked for
        assertThat(admin("DELETE", "/admin/artifacts/layer0", null).statusCode()).isEqualTo(204);
        TestServer.assertError(t.post("/v1/generate", "{\"prompt\": \"x\", \"max_tokens\": 2, \"vane\": {\"interventions\": "
                + "[{\"kind\": \"vector\", \"artifact\": \"layer0\"}]}}"), 400, "vane.interventions[0].artifact");
    }

    @Test
    void gactProbesAreRefinedFromLabelledFeedback() throws IOException {
        int d = fingerprint.hiddenSize();
        SplittableRandom r = new SplittableRandom(4);
        java.util.TreeMap<Integer, GactWeights.Layer> layers = new java.util.TreeMap<>();
        for (int l = 0; l < fingerprint.numLayers(); l++) {
            float[][] mu = new float[2][d], w = new float[2][d];
            for (int c = 0; c < 2; c++) for (int i = 0; i < d; i++) { mu[c][i] = (float) r.nextGaussian(); w[c][i] = (float) r.nextGaussian(); }
            layers.put(l, new GactWeights.Layer(mu, SoftmaxProbe.of(w, new float[2])));
        }
        GactWeights g = new GactWeights(d, 2, layers);
        Path dir = Files.createTempDirectory("vane-gact").resolve("probe");
        new Artifact(new Manifest("probe", ArtifactKind.GACT, fingerprint, Component.RESID_POST, List.of(0, 1),
                JsonNodeFactory.instance.objectNode(), Map.of(), Provenance.now("test", "0".repeat(64))),
                MethodArtifacts.tensors(g.tensors(), g.shapes())).write(dir);
        assertEquals(201, admin("POST", "/admin/artifacts/probe", upload(dir)).statusCode());
        // feedback: stories are cluster 0, numbers cluster 1
        StringBuilder ex = new StringBuilder("{\"steps\": 300, \"lr\": 1.0, \"examples\": [");
        String[] stories = {"Once upon a time there was a king", "The old woman walked into the forest", "She told him a story",
                "The dragon slept in the cave"};
        String[] numbers = {"1 2 3 4 5 6", "10 20 30 40", "7 8 9 10 11", "100 200 300"};
        for (int i = 0; i < 4; i++)
            ex.append(i == 0 ? "" : ",").append("{\"prompt\": \"").append(stories[i]).append("\", \"cluster\": 0},")
                    .append("{\"prompt\": \"").append(numbers[i]).append("\", \"cluster\": 1}");
        ex.append("], \"held_out\": [{\"prompt\": \"The prince rode to the castle\", \"cluster\": 0}, {\"prompt\": \"5 6 7 8 9\", \"cluster\": 1}]}");
        HttpResponse<String> refined = admin("POST", "/admin/artifacts/probe/refine", ex.toString());
        assertEquals(200, refined.statusCode(), refined.body());
        JsonNode body = TestServer.read(refined.body());
        assertThat(body.get("encoding").asText()).isEqualTo("plain"); // as the artifact was calibrated (no params.chat)
        assertThat(body.get("held_out").asInt()).isEqualTo(2);
        for (JsonNode l : body.get("layers")) {
            assertThat(l.get("held_out_after").asDouble()).isBetween(0.0, 1.0);
            assertThat(l.get("accuracy_after").asDouble()).isGreaterThanOrEqualTo(l.get("accuracy_before").asDouble());
            assertThat(l.get("accuracy_after").asDouble()).isEqualTo(1.0);
        }
        JsonNode manifest = TestServer.read(admin("GET", "/admin/artifacts/probe", null).body());
        assertThat(manifest.get("metrics").get("refined_examples").asDouble()).isEqualTo(8.0);
        assertThat(manifest.get("metrics").get("valid.pairs").asDouble()).isEqualTo(2.0); // held-out accuracy recomputed on them
        assertThat(t.metric("vane_admin_changes_total{what=\"artifact\"}")).isGreaterThanOrEqualTo(2);
        // the refined probes steer requests
        JsonNode steered = generate("{\"interventions\": [{\"kind\": \"gact\", \"artifact\": \"probe\", \"alpha\": 1}]}");
        assertThat(steered.get("vane").get("applied").get(0).get("probe_choices").size()).isEqualTo(2);
        TestServer.assertError(admin("POST", "/admin/artifacts/probe/refine",
                "{\"examples\": [{\"prompt\": \"x\", \"cluster\": 5}]}"), 400, "examples[0].cluster");
        TestServer.assertError(admin("POST", "/admin/artifacts/probe/refine",
                "{\"examples\": [{\"prompt\": \"x\", \"cluster\": 0}], \"held_out\": [{\"prompt\": \"x\"}]}"), 400, "held_out[0].cluster");
        TestServer.assertError(admin("POST", "/admin/artifacts/shift/refine",
                "{\"examples\": [{\"prompt\": \"x\", \"cluster\": 0}]}"), 400, "name");
        TestServer.assertError(admin("POST", "/admin/artifacts/ghost/refine",
                "{\"examples\": [{\"prompt\": \"x\", \"cluster\": 0}]}"), 404, "name");
        assertThat(admin("DELETE", "/admin/artifacts/probe", null).statusCode()).isEqualTo(204);
    }

    private static String upload(Path artifactDir) throws IOException {
        return "{\"manifest\": " + Files.readString(artifactDir.resolve(Artifact.MANIFEST)) + ", \"tensors\": \""
                + Base64.getEncoder().encodeToString(Files.readAllBytes(artifactDir.resolve(Artifact.TENSORS))) + "\"}";
    }
}
