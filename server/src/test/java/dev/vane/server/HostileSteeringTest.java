package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.model.ComputeDType;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.artifact.VectorSet;
import dev.vane.steering.gguf.ControlVectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One unauthenticated request must not hurt the others (issue: {@code "scale": 1e300} beside a
 * vector artifact made the batch's logits NaN and every stream failed). Eight streams run while a
 * request asks for that scale, an upload brings an artifact of values near the float limit, and a
 * request names that artifact: the hostile ones are refused with a 400 naming the field, and the
 * eight finish with exactly the tokens they give without them. On the serving (Java) decoder.
 */
class HostileSteeringTest {

    private static final String TOKEN = "test-admin-token-0123456789";
    private static final int STREAMS = 8;
    private static VaneServer server;
    private static TestServer t;
    private static ModelFingerprint fingerprint;
    private static final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void start() throws IOException {
        Path model = TestServer.modelDir("vane-hostile-model", true);
        ServerSettings s = ServerSettings.defaults(model).withPort(0).withEngine(ComputeDType.F16, 2, 12, 512)
                .withAdmin(new ServerSettings.Admin(Files.createTempDirectory("vane-registry"), 0, Optional.of(TOKEN), 1 << 20,
                        Optional.empty()));
        server = Main.start(s);
        t = TestServer.wrap(server, s);
        var c = Preset.TINY_LLAMA3_VOCAB.config();
        fingerprint = new ModelFingerprint(c.architecture(), c.hiddenSize(), c.numLayers(), c.vocabSize());
        Path gguf = Files.createTempFile("vane-cv", ".gguf");
        ControlVectors.exportGguf(vectors(1, 0.05f), "llama", gguf);
        assertEquals(201, admin("/admin/artifacts/shift?format=gguf", "application/octet-stream",
                HttpRequest.BodyPublishers.ofFile(gguf)).statusCode());
    }

    @AfterAll
    static void stop() {
        server.close();
        clients.close();
    }

    /** A vector set whose direction at {@code layer} holds {@code value} everywhere. */
    private static VectorSet vectors(int layer, float value) {
        float[][] dirs = new float[fingerprint.numLayers()][];
        dirs[layer] = new float[fingerprint.hiddenSize()];
        java.util.Arrays.fill(dirs[layer], value);
        return new VectorSet(Component.RESID_POST, fingerprint.hiddenSize(), dirs);
    }

    private static HttpResponse<String> admin(String path, String type, HttpRequest.BodyPublisher body) {
        return TestServer.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort().getAsInt() + path))
                .header("Content-Type", type).header("Authorization", "Bearer " + TOKEN).POST(body).build());
    }

    private static String body(int i) {
        return "{\"prompt\": \"Stream " + i + (i % 2 == 0 ? " of the batch" : "") + "\", \"max_tokens\": 200, \"temperature\": 0,"
                + " \"ignore_eos\": true, \"stream\": true"
                + (i % 3 == 0 ? ", \"vane\": {\"interventions\": [{\"kind\": \"vector\", \"artifact\": \"shift\", \"scale\": 2}]}" : "")
                + "}";
    }

    /** One {@code /v1/generate} stream: its token ids; counts {@code started} down at its first token. */
    private static CompletableFuture<List<Integer>> stream(int i, CountDownLatch started) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                HttpResponse<Stream<String>> r = TestServer.HTTP.send(HttpRequest.newBuilder(t.uri("/v1/generate"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body(i))).build(),
                        HttpResponse.BodyHandlers.ofLines());
                assertEquals(200, r.statusCode());
                List<Integer> tokens = new ArrayList<>();
                for (Iterator<String> lines = r.body().iterator(); lines.hasNext(); ) {
                    String line = lines.next();
                    if (!line.startsWith("data: ")) continue;
                    String data = line.substring("data: ".length());
                    if (data.equals("[DONE]")) return tokens;
                    JsonNode e = TestServer.read(data);
                    assertThat(e.has("error")).as("stream %d: %s", i, data).isFalse();
                    if (e.has("token")) {
                        tokens.add(e.get("token").asInt());
                        if (tokens.size() == 1) started.countDown();
                    } else {
                        assertEquals("length", e.get("finish_reason").asText(), "stream " + i);
                    }
                }
                throw new AssertionError("stream " + i + " ended without [DONE]");
            } catch (IOException e) {
                throw new AssertionError(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }, clients);
    }

    /** Runs the eight streams; once all have their first token, runs {@code meanwhile}; returns their tokens. */
    private static List<List<Integer>> streamsBeside(Runnable meanwhile) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(STREAMS);
        List<CompletableFuture<List<Integer>>> streams = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) streams.add(stream(i, started));
        assertTrue(started.await(120, TimeUnit.SECONDS), "every stream started");
        meanwhile.run();
        List<List<Integer>> out = new ArrayList<>();
        for (CompletableFuture<List<Integer>> s : streams) out.add(s.join());
        return out;
    }

    @Test
    void eightStreamsFinishUnchangedBesideHostileSteering() throws Exception {
        List<List<Integer>> quiet = streamsBeside(() -> {});
        for (List<Integer> tokens : quiet) assertThat(tokens).hasSize(200);

        Path dir = Files.createTempDirectory("vane-huge");
        vectors(0, 3e38f).toArtifact("huge", fingerprint, JsonNodeFactory.instance.objectNode(), Map.of(),
                Provenance.now("test", "0".repeat(64))).write(dir);
        String upload = "{\"manifest\": " + Files.readString(dir.resolve(Artifact.MANIFEST)) + ", \"tensors\": \""
                + Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve(Artifact.TENSORS))) + "\"}";
        List<List<Integer>> beside = streamsBeside(() -> {
            JsonNode scale = TestServer.assertError(t.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 8, \"vane\": "
                    + "{\"interventions\": [{\"kind\": \"vector\", \"artifact\": \"shift\", \"scale\": 1e300}]}}"),
                    400, "vane.interventions[0].scale");
            assertThat(scale.get("message").asText()).contains("[-1000, 1000]");
            JsonNode stored = TestServer.assertError(admin("/admin/artifacts/huge", "application/json",
                    HttpRequest.BodyPublishers.ofString(upload)), 400, "body");
            assertThat(stored.get("message").asText()).contains("beyond the limit");
            TestServer.assertError(t.post("/v1/generate", "{\"prompt\": \"x\", \"max_tokens\": 8, \"vane\": "
                    + "{\"interventions\": [{\"kind\": \"vector\", \"artifact\": \"huge\"}]}}"), 400, "vane.interventions[0].artifact");
        });
        for (int i = 0; i < STREAMS; i++) assertEquals(quiet.get(i), beside.get(i), "stream " + i);
    }
}
