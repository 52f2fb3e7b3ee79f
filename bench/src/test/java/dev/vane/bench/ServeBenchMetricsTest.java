package dev.vane.bench;

import dev.vane.server.Main;
import dev.vane.server.ServerSettings;
import dev.vane.server.VaneServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** ServeBench reads the weight and KV-cache sizes from a real server's {@code /metrics}, tags and all. */
class ServeBenchMetricsTest {

    @Test
    void theGaugesServeBenchNeedsAreReadFromARealServersMetrics() throws Exception {
        ServerSettings s = ServerSettings.defaults(java.nio.file.Path.of("..", "models", "demo")).withPort(0);
        try (VaneServer server = Main.start(s)) {
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            // the demo model: 6.5M parameters, f16 matrices on the Java decoder
            assertThat(ServeBench.gauge(metrics, "vane_model_weight_bytes")).isBetween(10e6, 30e6);
            assertThat(ServeBench.gauge(metrics, "vane_kv_cache_capacity_bytes")).isPositive();
        }
    }
}
