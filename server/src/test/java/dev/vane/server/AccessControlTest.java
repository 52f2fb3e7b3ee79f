package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.model.ComputeDType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The public API behind an optional bearer key (health and metrics stay open), and the admin API
 * on a bind address of its own, loopback unless set.
 */
class AccessControlTest {

    private static final String KEY = "sk-vane-test-key";
    private static final String ADMIN_TOKEN = "access-test-admin-token-0123";
    private static final String ADMIN_HOST = "127.0.0.2";
    private static VaneServer server;
    private static TestServer api;

    @BeforeAll
    static void start() throws IOException {
        ServerSettings s = ServerSettings.defaults(TestServer.modelDir("vane-access-model", true)).withPort(0)
                .withEngine(ComputeDType.F32, 1, 2, 256)
                .withHttp(ServerSettings.Http.of(64, 10, 10, 60, Optional.of(KEY)))
                .withAdmin(new ServerSettings.Admin(Files.createTempDirectory("vane-access-registry"), ADMIN_HOST, 0,
                        Optional.of(ADMIN_TOKEN), 1 << 20, Optional.empty()));
        server = Main.start(s);
        api = TestServer.wrap(server, s);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> models(String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.uri("/v1/models"));
        if (authorization != null) b.header("Authorization", authorization);
        return TestServer.send(b.build());
    }

    @Test
    void theApiNeedsTheKey() {
        for (String wrong : new String[]{null, "Bearer sk-vane-test-kez", "Bearer " + KEY + "x", "Bearer", KEY, "Basic " + KEY}) {
            HttpResponse<String> r = models(wrong);
            JsonNode err = TestServer.assertError(r, 401, null);
            assertEquals("invalid_api_key", err.get("code").asText());
            assertThat(r.headers().firstValue("www-authenticate").orElse("")).startsWith("Bearer");
        }
        assertEquals(200, models("Bearer " + KEY).statusCode());
        HttpResponse<String> completion = TestServer.send(HttpRequest.newBuilder(api.uri("/v1/completions"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"Hi\", \"max_tokens\": 2}")).build());
        assertEquals(200, completion.statusCode(), completion.body());
        TestServer.assertError(api.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 2}"), 401, null);
        TestServer.assertError(api.post("/v1/generate", "{\"prompt\": \"Hi\", \"max_tokens\": 2}"), 401, null);
        TestServer.assertError(api.post("/tokenize", "{\"prompt\": \"Hi\"}"), 401, null);
        TestServer.assertError(api.post("/detokenize", "{\"tokens\": [1]}"), 401, null);
        HttpResponse<String> tokenize = TestServer.send(HttpRequest.newBuilder(api.uri("/tokenize"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"Hi\"}")).build());
        assertEquals(200, tokenize.statusCode(), tokenize.body());
    }

    @Test
    void healthAndMetricsStayOpen() {
        assertEquals(200, api.get("/version").statusCode());
        assertEquals(200, api.get("/health/live").statusCode());
        assertEquals(200, api.get("/health/ready").statusCode());
        assertEquals(200, api.get("/metrics").statusCode());
    }

    @Test
    void theAdminApiListensOnItsOwnAddressOnly() throws Exception {
        int adminPort = server.adminPort().orElseThrow();
        HttpResponse<String> status = TestServer.send(HttpRequest.newBuilder(URI.create("http://" + ADMIN_HOST + ":" + adminPort + "/admin/status"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).build());
        assertEquals(200, status.statusCode(), status.body());
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", adminPort), 2000);
            }
        }).isInstanceOf(ConnectException.class);
    }

    @Test
    void theAdminHostIsLoopbackWhateverTheHost() {
        ServerSettings s = ServerSettings.configured(Map.of("VANE_HOST", "0.0.0.0"), Map.of());
        assertEquals("0.0.0.0", s.host());
        assertEquals("127.0.0.1", s.admin().host());
        assertEquals("::1", ServerSettings.configured(Map.of("VANE_ADMIN_HOST", "::1"), Map.of()).admin().host());
        assertThat(ServerSettings.configured(Map.of("VANE_API_KEY", KEY), Map.of()).http().apiKey()).contains(KEY);
        assertThat(ServerSettings.configured(Map.of("VANE_API_KEY", KEY), Map.of()).toString()).doesNotContain(KEY);
        assertThatThrownBy(() -> ServerSettings.configured(Map.of("VANE_MAX_CONNECTIONS", "0"), Map.of()))
                .hasMessageContaining("max-connections");
        assertThatThrownBy(() -> ServerSettings.configured(Map.of("VANE_HEADER_TIMEOUT", "0"), Map.of()))
                .hasMessageContaining("header-timeout");
    }
}
