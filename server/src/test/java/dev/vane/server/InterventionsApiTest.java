package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.steering.DemoModelDir;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code GET /v1/interventions} on the bundled demo model with a fresh registry: the bundled
 * profiles and artifacts, the model's layers, the defaults (steering on, no default profile, no
 * layer skipping), the attention options a request may set, no Activation Beacon; behind the API
 * key like every {@code /v1} route.
 */
class InterventionsApiTest {

    private static final String KEY = "sk-vane-interventions-test";

    @TempDir
    static Path tmp;
    private static VaneServer server;
    private static TestServer t;

    @BeforeAll
    static void start() {
        ServerSettings s = TestServer.demo(tmp.resolve("registry")).withHttp(ServerSettings.Http.of(64, 10, 10, 60, Optional.of(KEY)));
        server = Main.start(s);
        t = TestServer.wrap(server, s);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> interventions(String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(t.uri("/v1/interventions"));
        if (authorization != null) b.header("Authorization", authorization);
        return TestServer.send(b.build());
    }

    private static JsonNode interventions() {
        HttpResponse<String> r = interventions("Bearer " + KEY);
        assertEquals(200, r.statusCode(), r.body());
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        return TestServer.read(r.body());
    }

    @Test
    void theModelAndTheDefaults() {
        JsonNode o = interventions();
        assertThat(o.get("model").asText()).isEqualTo("demo");
        assertThat(o.get("layers").asInt()).isEqualTo(6);
        assertThat(o.get("steering").get("enabled").asBoolean()).isTrue();
        assertThat(o.get("steering").get("default_profile").isNull()).isTrue();
        assertThat(o.get("layer_skip")).isEqualTo(TestServer.read("{\"mode\": \"off\"}"));
        JsonNode attention = o.get("attention");
        assertThat(attention.get("kind").asText()).isEqualTo("softmax");
        assertThat(attention.get("algorithm").asText()).isEqualTo("reference");
        assertThat(attention.get("log_n").asBoolean(true)).isFalse();
        assertThat(attention.get("per_request").asBoolean()).as("the Java decoder runs per-request options").isTrue();
        assertThat(o.get("beacon")).as("the demo model's beacon parameters")
                .isEqualTo(TestServer.read("{\"window\": 64, \"ratios\": [2, 4, 8]}"));
    }

    /** Every profile of the bundled profiles.json, with the interventions it stores. */
    @Test
    void theBundledProfiles() throws IOException {
        JsonNode file = TestServer.read(Files.readString(DemoModelDir.path().resolve("steering/profiles.json")));
        Map<String, JsonNode> listed = byName(interventions().get("profiles"));
        List<String> names = new ArrayList<>();
        for (JsonNode p : file.get("profiles")) {
            String name = p.get("name").asText();
            names.add(name);
            JsonNode served = listed.get(name);
            assertThat(served).as("profile %s", name).isNotNull();
            assertThat(served.get("interventions")).as("profile %s", name).hasSameSizeAs(p.get("interventions"));
            for (int i = 0; i < p.get("interventions").size(); i++) {
                JsonNode asked = p.get("interventions").get(i), stored = served.get("interventions").get(i);
                assertThat(stored.get("kind").asText()).isEqualTo(asked.get("kind").asText());
                assertThat(stored.get("artifact").asText()).isEqualTo(asked.get("artifact").asText());
            }
        }
        assertThat(listed.keySet()).containsExactlyInAnyOrderElementsOf(names);
    }

    /** Every bundled artifact, as its manifest describes it: name, kind, site, layers and default alpha. */
    @Test
    void theBundledArtifacts() throws IOException {
        Map<String, JsonNode> listed = byName(interventions().get("artifacts"));
        List<String> names = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(DemoModelDir.path().resolve("steering/artifacts"))) {
            for (Path dir : dirs.sorted().toList()) {
                JsonNode m = TestServer.read(Files.readString(dir.resolve("manifest.json")));
                String name = m.get("name").asText();
                names.add(name);
                JsonNode a = listed.get(name);
                assertThat(a).as("artifact %s", name).isNotNull();
                assertThat(a.get("kind").asText()).as("%s's kind", name).isEqualTo(m.get("kind").asText());
                assertThat(a.get("site").asText()).as("%s's site", name).isEqualTo(m.get("site").asText());
                assertThat(a.get("layers")).as("%s's layers", name).isEqualTo(m.get("layers"));
                if (m.path("params").path("alpha").isNumber())
                    assertThat(a.get("alpha").asDouble()).as("%s's alpha", name).isEqualTo(m.get("params").get("alpha").asDouble());
                else assertThat(a.has("alpha")).as("%s has no alpha", name).isFalse();
            }
        }
        assertThat(names).isNotEmpty();
        assertThat(listed.keySet()).containsExactlyInAnyOrderElementsOf(names);
    }

    @Test
    void itNeedsTheApiKeyLikeTheOtherV1Routes() {
        for (String wrong : new String[]{null, "Bearer " + KEY + "x", KEY}) {
            HttpResponse<String> r = interventions(wrong);
            JsonNode err = TestServer.assertError(r, 401, null);
            assertThat(err.get("code").asText()).isEqualTo("invalid_api_key");
            assertThat(r.headers().firstValue("www-authenticate").orElse("")).startsWith("Bearer");
        }
        assertThat(interventions().get("layers").asInt()).isEqualTo(6);
    }

    private static Map<String, JsonNode> byName(JsonNode array) {
        Map<String, JsonNode> out = new HashMap<>();
        array.forEach(e -> assertThat(out.put(e.get("name").asText(), e)).as("%s listed once", e.get("name")).isNull());
        return out;
    }
}
