package dev.vane.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.model.ComputeDType;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactKind;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.control.MethodArtifacts;
import dev.vane.steering.gact.GactWeights;
import dev.vane.steering.gact.SoftmaxProbe;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The README's metric list (its API section's {@code GET /metrics} entry) is exactly what a
 * server exports once it has served one completion that uses G-ACT and layer skipping, after one
 * admin change: every listed name has samples, and every exported family is listed.
 */
class ReadmeMetricsTest {

    private static final String TOKEN = "readme-metrics-token-0123456789";
    private static final Pattern NAME = Pattern.compile("`(vane_[a-z0-9_]+)");

    /** The metric names of the README's {@code GET /metrics} entry. */
    static Set<String> readmeMetrics() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        String api = readme.substring(readme.indexOf("\n## API\n"));
        api = api.substring(0, api.indexOf("\n## ", 1));
        int start = api.indexOf("\n- `GET /metrics`");
        assertThat(start).as("the API section has a `GET /metrics` entry").isNotNegative();
        int end = api.indexOf("\n\n", start);
        int next = api.indexOf("\n- ", start + 1);
        String entry = api.substring(start, next > 0 && next < end ? next : end);
        Set<String> names = new LinkedHashSet<>();
        for (Matcher m = NAME.matcher(entry); m.find(); ) names.add(m.group(1));
        return names;
    }

    @Test
    void everyListedMetricIsExportedAndEveryExportedOneIsListed() throws IOException {
        Set<String> listed = readmeMetrics();
        assertThat(listed).hasSizeGreaterThan(10);
        Path model = TestServer.modelDir("vane-readme-metrics", true);
        ServerSettings s = ServerSettings.defaults(model).withPort(0).withEngine(ComputeDType.F32, 2, 4, 256)
                .withAdmin(new ServerSettings.Admin(Files.createTempDirectory("vane-readme-registry"), 0, Optional.of(TOKEN),
                        1 << 20, Optional.empty()));
        try (VaneServer server = Main.start(s)) {
            TestServer t = TestServer.wrap(server, s);
            uploadGact(server.adminPort().getAsInt());
            HttpResponse<String> r = t.post("/v1/completions", "{\"prompt\": \"Once upon a time\", \"max_tokens\": 4, "
                    + "\"temperature\": 0, \"vane\": {\"interventions\": [{\"kind\": \"gact\", \"artifact\": \"probe\", \"alpha\": 1}], "
                    + "\"layer_skip\": {\"mode\": \"trace\"}}}");
            assertEquals(200, r.statusCode(), r.body());
            String text = t.get("/metrics").body();
            for (String name : listed)
                assertThat(Pattern.compile("(?m)^" + Pattern.quote(name) + "(_bucket|_count|_sum)?[{ ]").matcher(text).find())
                        .as("%s is exported", name).isTrue();
            Set<String> exported = new TreeSet<>();
            for (Matcher m = Pattern.compile("(?m)^(vane_[a-z0-9_]+)").matcher(text); m.find(); )
                exported.add(m.group(1).replaceFirst("_(bucket|count|sum|max)$", ""));
            assertThat(listed).containsAll(exported);
        }
    }

    /** One admin change: a two-cluster G-ACT artifact on both layers of the tiny model. */
    private static void uploadGact(int adminPort) throws IOException {
        var c = Preset.TINY_LLAMA3_VOCAB.config();
        ModelFingerprint fp = new ModelFingerprint(c.architecture(), c.hiddenSize(), c.numLayers(), c.vocabSize());
        int d = fp.hiddenSize();
        SplittableRandom random = new SplittableRandom(4);
        TreeMap<Integer, GactWeights.Layer> layers = new TreeMap<>();
        for (int l = 0; l < fp.numLayers(); l++) {
            float[][] mu = new float[2][d], w = new float[2][d];
            for (int k = 0; k < 2; k++) for (int i = 0; i < d; i++) { mu[k][i] = (float) random.nextGaussian(); w[k][i] = (float) random.nextGaussian(); }
            layers.put(l, new GactWeights.Layer(mu, SoftmaxProbe.of(w, new float[2])));
        }
        GactWeights g = new GactWeights(d, 2, layers);
        Path dir = Files.createTempDirectory("vane-readme-gact").resolve("probe");
        new Artifact(new Manifest("probe", ArtifactKind.GACT, fp, Component.RESID_POST, List.of(0, 1),
                JsonNodeFactory.instance.objectNode(), Map.of(), Provenance.now("test", "0".repeat(64))),
                MethodArtifacts.tensors(g.tensors(), g.shapes())).write(dir);
        String body = "{\"manifest\": " + Files.readString(dir.resolve(Artifact.MANIFEST)) + ", \"tensors\": \""
                + Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve(Artifact.TENSORS))) + "\"}";
        HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/admin/artifacts/probe"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertEquals(201, r.statusCode(), r.body());
    }
}
