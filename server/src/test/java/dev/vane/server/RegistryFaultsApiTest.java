package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.model.ComputeDType;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactKind;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.FaultyFileSystem;
import dev.vane.steering.artifact.FaultyFileSystem.Fault;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.artifact.VectorSet;
import dev.vane.steering.control.MethodArtifacts;
import dev.vane.steering.controller.ControllerWeights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The admin API over a registry that crashed, holds a corrupt artifact, or sits on a full,
 * read-only or failing disk ({@link FaultyFileSystem}): every failure is named for what it is,
 * with no path or class name in the answer, and nothing is half-written.
 */
class RegistryFaultsApiTest {

    private static final String TOKEN = "test-admin-token-0123456789";
    private static final FaultyFileSystem FS = new FaultyFileSystem();
    private static Path registry;
    private static VaneServer server;
    private static ModelFingerprint fingerprint;

    @BeforeAll
    static void start() throws IOException {
        var c = Preset.TINY_LLAMA3_VOCAB.config();
        fingerprint = new ModelFingerprint(c.architecture(), c.hiddenSize(), c.numLayers(), c.vocabSize());
        registry = Files.createTempDirectory("vane-faulty-registry");
        // what crashes and a bad file left: a replace cut between its renames, leftovers, a corrupt manifest
        ArtifactRegistry reg = new ArtifactRegistry(registry);
        reg.save(vectors("kept", 1));
        reg.save(vectors("broken", 2));
        Files.writeString(registry.resolve("broken").resolve(Artifact.MANIFEST), "{\"format\": 1, \"name\": \"bro");
        reg.save(vectors("swapped", 3));
        String id = UUID.randomUUID().toString();
        vectors("swapped", 4).write(registry.resolve(".tmp-swapped-" + id));
        Files.move(registry.resolve("swapped"), registry.resolve(".old-swapped-" + id));
        vectors("half", 5).write(registry.resolve(".tmp-half-" + UUID.randomUUID()));
        Files.createDirectories(registry.resolve(".upload-" + UUID.randomUUID()));

        ServerSettings s = ServerSettings.defaults(TestServer.modelDir("vane-faults-model", true)).withPort(0)
                .withEngine(ComputeDType.F32, 2, 2, 256)
                .withAdmin(new ServerSettings.Admin(FS.wrap(registry), 0, Optional.of(TOKEN), 64L << 20, Optional.empty()));
        server = Main.start(s);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void heal() {
        FS.fail(Fault.NONE).reportUsable(-1);
    }

    private static Artifact vectors(String name, long seed) {
        float[][] dirs = new float[fingerprint.numLayers()][];
        SplittableRandom r = new SplittableRandom(seed);
        dirs[1] = new float[fingerprint.hiddenSize()];
        for (int i = 0; i < dirs[1].length; i++) dirs[1][i] = (float) (r.nextDouble() * 2 - 1);
        return new VectorSet(Component.RESID_POST, fingerprint.hiddenSize(), dirs).toArtifact(name, fingerprint,
                JsonNodeFactory.instance.objectNode(), Map.of(), Provenance.now("test", "0".repeat(64)));
    }

    private static HttpResponse<String> admin(String method, String path, String type, HttpRequest.BodyPublisher body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort().getAsInt() + path))
                .method(method, body).header("Authorization", "Bearer " + TOKEN);
        if (type != null) b.header("Content-Type", type);
        return TestServer.send(b.build());
    }

    private static HttpResponse<String> admin(String method, String path) {
        return admin(method, path, null, HttpRequest.BodyPublishers.noBody());
    }

    private static HttpResponse<String> upload(String method, String name, Artifact a) throws IOException {
        Path dir = Files.createTempDirectory("vane-upload-src").resolve(name);
        a.write(dir);
        String body = "{\"manifest\": " + Files.readString(dir.resolve(Artifact.MANIFEST)) + ", \"tensors\": \""
                + Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve(Artifact.TENSORS))) + "\"}";
        return admin(method, "/admin/artifacts/" + name, "application/json", HttpRequest.BodyPublishers.ofString(body));
    }

    private static List<String> onDisk() throws IOException {
        try (Stream<Path> s = Files.list(registry)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals(".start.lock")) // the lock every start takes (BundledSteering.prepare), not a leftover
                    .sorted().toList();
        }
    }

    /** Neither the registry's nor the temporary directory's path, nor a Java class, shows in an answer. */
    private static void assertNoInternals(HttpResponse<String> r) {
        assertThat(r.body()).doesNotContain(registry.toString()).doesNotContain(System.getProperty("java.io.tmpdir"))
                .doesNotContain("Exception").doesNotContain("java.");
    }

    @Test
    void startFinishesAnInterruptedReplaceRemovesLeftoversAndTheListingReportsTheCorruptArtifact() throws Exception {
        assertThat(onDisk()).containsExactly("broken", "kept", "swapped");

        HttpResponse<String> list = admin("GET", "/admin/artifacts");
        assertEquals(200, list.statusCode(), list.body());
        JsonNode body = TestServer.read(list.body());
        assertThat(body.get("data").findValuesAsText("name")).containsExactly("kept", "swapped");
        assertThat(body.get("problems")).hasSize(1);
        assertThat(body.get("problems").get(0).get("name").asText()).isEqualTo("broken");
        assertThat(body.get("problems").get(0).get("message").asText()).startsWith("broken/manifest.json");
        assertNoInternals(list);

        HttpResponse<String> one = admin("GET", "/admin/artifacts/broken");
        JsonNode err = TestServer.assertError(one, 500, "name");
        assertThat(err.get("message").asText()).startsWith("broken/manifest.json");
        assertNoInternals(one);
    }

    @Test
    void aFullDiskIs507AndNothingIsWritten() throws Exception {
        List<String> before = onDisk();
        FS.fail(Fault.FULL, 10); // the file store says so before anything is written
        HttpResponse<String> early = upload("POST", "fresh", vectors("fresh", 6));
        assertEquals("insufficient_storage", TestServer.assertError(early, 507, null).get("code").asText());
        assertNoInternals(early);

        FS.fail(Fault.FULL, 100).reportUsable(1L << 30); // the disk fills while the files are written
        TestServer.assertError(upload("POST", "fresh", vectors("fresh", 7)), 507, null);
        Path staged = writeTo(vectors("fresh", 7)); // room for the staged upload, not for the stored copy
        FS.fail(Fault.FULL, Files.size(staged.resolve(Artifact.MANIFEST)) + Files.size(staged.resolve(Artifact.TENSORS)) + 64)
                .reportUsable(1L << 30);
        TestServer.assertError(upload("POST", "fresh", vectors("fresh", 7)), 507, null);
        FS.fail(Fault.FULL, 100).reportUsable(1L << 30);
        HttpResponse<String> replace = upload("PUT", "kept", vectors("kept", 8));
        assertEquals("insufficient_storage", TestServer.assertError(replace, 507, null).get("code").asText());
        assertThat(TestServer.read(replace.body()).get("error").get("message").asText()).contains("disk space");
        assertNoInternals(replace);

        heal();
        assertThat(onDisk()).isEqualTo(before);
        assertThat(TestServer.read(admin("GET", "/admin/artifacts/kept").body()).get("name").asText()).isEqualTo("kept");
    }

    @Test
    void aReadOnlyRegistryIs503ForChangesAndStillLists() throws Exception {
        List<String> before = onDisk();
        FS.fail(Fault.READ_ONLY);
        for (HttpResponse<String> r : List.of(upload("POST", "fresh", vectors("fresh", 9)), upload("PUT", "kept", vectors("kept", 10)),
                admin("DELETE", "/admin/artifacts/kept"))) {
            JsonNode err = TestServer.assertError(r, 503, null);
            assertThat(err.get("code").asText()).isEqualTo("storage_unavailable");
            assertThat(err.get("message").asText()).contains("read-only");
            assertNoInternals(r);
        }
        assertEquals(200, admin("GET", "/admin/artifacts").statusCode());
        heal();
        assertThat(onDisk()).isEqualTo(before);
    }

    @Test
    void aRegistryThatCannotBeListedIs503WithoutTheExceptionOrPath() {
        FS.fail(Fault.BROKEN);
        HttpResponse<String> r = admin("GET", "/admin/artifacts");
        assertThat(TestServer.assertError(r, 503, null).get("code").asText()).isEqualTo("storage_unavailable");
        assertNoInternals(r);
    }

    @Test
    void badUploadsAreNamedByTheirFilesNotTheirPaths() throws Exception {
        HttpResponse<String> gguf = admin("POST", "/admin/artifacts/junk?format=gguf", "application/octet-stream",
                HttpRequest.BodyPublishers.ofByteArray("GGML junk".getBytes()));
        assertThat(TestServer.assertError(gguf, 400, "body").get("message").asText()).startsWith("junk.gguf: bad magic");
        assertNoInternals(gguf);

        String manifest = Files.readString(writeTo(vectors("junk", 11)).resolve(Artifact.MANIFEST));
        HttpResponse<String> vane = admin("POST", "/admin/artifacts/junk", "application/json", HttpRequest.BodyPublishers.ofString(
                "{\"manifest\": " + manifest + ", \"tensors\": \"" + Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}) + "\"}"));
        assertThat(TestServer.assertError(vane, 400, "manifest").get("message").asText()).startsWith("tensors.safetensors: ");
        assertNoInternals(vane);

        HttpResponse<String> taken = upload("POST", "kept", vectors("kept", 12));
        TestServer.assertError(taken, 409, "name");
        assertNoInternals(taken);
        assertThat(onDisk()).noneMatch(n -> n.startsWith("."));
    }

    private static Path writeTo(Artifact a) throws IOException {
        Path dir = Files.createTempDirectory("vane-upload-src").resolve(a.name());
        a.write(dir);
        return dir;
    }

    /**
     * A JSON upload as large as --max-artifact-bytes allows goes through: its base64 tensors are
     * one JSON string, longer than Jackson's default limit of 20 million characters (15 MB of data).
     */
    @Test
    void aJsonUploadOfTwentyMegabytesIsAccepted() throws Exception {
        int d = fingerprint.hiddenSize(), layers = fingerprint.numLayers(), width = 21_000;
        int in = ControllerWeights.FEATURE_BLOCKS * d;
        SplittableRandom r = new SplittableRandom(13);
        float[] fc1 = new float[width * in];
        for (int i = 0; i < fc1.length; i++) fc1[i] = (float) (r.nextGaussian() * 0.01);
        float[] direction = new float[d];
        direction[0] = 1;
        ControllerWeights w = new ControllerWeights(d, layers, width, fc1, new float[width], new float[(1 + layers) * width],
                new float[1 + layers], direction);
        Artifact big = new Artifact(new Manifest("big", ArtifactKind.CONTROLLER, fingerprint, Component.RESID_POST, List.of(0, 1),
                JsonNodeFactory.instance.objectNode().put("alpha", 1.0), Map.of(), Provenance.now("test", "0".repeat(64))),
                MethodArtifacts.tensors(w.tensors(), w.shapes()));
        assertThat(big.byteSize()).isGreaterThan(20L << 20);

        HttpResponse<String> put = upload("PUT", "big", big);
        assertEquals(200, put.statusCode(), put.body().length() > 300 ? put.body().substring(0, 300) : put.body());
        assertEquals(204, admin("DELETE", "/admin/artifacts/big").statusCode());
    }
}
