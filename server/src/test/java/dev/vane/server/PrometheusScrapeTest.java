package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.steering.DemoModelDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A real Prometheus server (the {@code prometheus} binary on the PATH; {@code .ci/run} installs
 * Debian's) scrapes the bundled model's server on loopback every second with the project's alert
 * rules ({@code deploy/prometheus/alerts.yml}). After traffic that uses a profile, G-ACT, layer
 * skipping, a bad request and an admin change, the Prometheus HTTP API shows the generation-token
 * and layers-skipped counters increased, and every PromQL expression of every panel of the
 * dashboards in {@code deploy/grafana/dashboards/} and of every alert rule evaluates without error
 * and returns data (an alert's {@code query > threshold} evaluated as {@code query > bool threshold}).
 */
class PrometheusScrapeTest {

    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final String TOKEN = "prometheus-scrape-token-0123456789";
    /** An alert expression: a query, one comparison, a number. */
    private static final Pattern ALERT = Pattern.compile("(?s)(.*\\S)\\s+(==|!=|>=|<=|>|<)\\s+(-?[0-9.]+)");

    @TempDir
    Path tmp;

    @Test
    void prometheusScrapesVaneAndEveryDashboardAndAlertQueryReturnsData() throws Exception {
        ServerSettings s = ServerSettings.defaults(DemoModelDir.path()).withPort(0)
                .withAdmin(new ServerSettings.Admin(tmp.resolve("registry"), 0, Optional.of(TOKEN), 64L << 20, Optional.empty()));
        try (VaneServer server = Main.start(s)) {
            TestServer t = TestServer.wrap(server, s);
            int promPort = freePort();
            Process prometheus = startPrometheus(server.port(), promPort);
            try {
                String prom = "http://127.0.0.1:" + promPort;
                TestServer.await("Prometheus ready", () -> status(prom + "/-/ready") == 200);
                TestServer.await("Vane scraped", () -> !query(prom, "up{job=\"vane\"} == 1").isEmpty());
                double tokensBefore = value(prom, "sum(vane_generation_tokens_total)");
                double skippedBefore = value(prom, "sum(vane_layers_skipped_total) or vector(0)");

                System.gc(); // a collection before the traffic: the GC pause series then has samples for a rate
                admin(server.adminPort().getAsInt(), "PUT", "/admin/steering", "{\"enabled\": true}");
                assertEquals(400, t.post("/v1/completions", "{\"prompt\": \"x\", \"n\": 0}").statusCode());
                long end = System.nanoTime() + 6_000_000_000L; // traffic across several scrapes
                for (int i = 0; System.nanoTime() < end || i < 4; i++) {
                    t.ok("/v1/completions", "{\"prompt\": \"The old town was quiet that evening, and\", \"max_tokens\": 8, "
                            + "\"temperature\": 0, \"vane\": {\"profile\": \"romance-gact\", \"layer_skip\": {\"mode\": \"exit\", \"alpha\": 0.8}}}");
                    t.ok("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi!\"}], \"max_tokens\": 6}");
                }

                TestServer.await("generation tokens counted by Prometheus", () -> value(prom, "sum(vane_generation_tokens_total)") > tokensBefore);
                TestServer.await("skipped layers counted by Prometheus", () -> value(prom, "sum(vane_layers_skipped_total) or vector(0)") > skippedBefore);
                List<String> queries = new ArrayList<>(dashboardQueries());
                queries.addAll(alertQueries());
                assertThat(queries).hasSizeGreaterThan(25);
                TestServer.await("a GC pause series scraped twice (a rate needs two samples)",
                        () -> !query(prom, "rate(jvm_gc_pause_seconds_count[5m])").isEmpty());
                List<String> empty = new ArrayList<>();
                for (String q : queries) if (query(prom, q).isEmpty()) empty.add(q);
                assertThat(empty).as("queries without data").isEmpty();
            } finally {
                prometheus.destroy();
                prometheus.waitFor();
            }
        }
    }

    /** Every {@code expr} of every panel target of every dashboard JSON file. */
    static List<String> dashboardQueries() throws IOException {
        List<String> out = new ArrayList<>();
        try (var files = Files.list(DEPLOY.resolve("grafana").resolve("dashboards"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList())
                for (JsonNode panel : TestServer.read(Files.readString(f)).get("panels"))
                    for (JsonNode target : panel.get("targets")) out.add(target.get("expr").asText());
        }
        return out;
    }

    /** Every alert rule's expression, its comparison made a {@code bool} one so that it has a value whether or not it fires. */
    static List<String> alertQueries() throws IOException {
        List<String> out = new ArrayList<>();
        for (String expr : alertExpressions()) {
            Matcher m = ALERT.matcher(expr);
            assertThat(m.matches()).as("alert expression '%s' is 'query comparison number'", expr).isTrue();
            out.add(m.group(1) + " " + m.group(2) + " bool " + m.group(3));
        }
        return out;
    }

    /** The {@code expr:} lines of {@code deploy/prometheus/alerts.yml} (one line each). */
    static List<String> alertExpressions() throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(DEPLOY.resolve("prometheus").resolve("alerts.yml")))
            if (line.strip().startsWith("expr:")) out.add(line.strip().substring(5).strip());
        return out;
    }

    private Process startPrometheus(int vanePort, int promPort) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("prometheus"));
        Files.copy(DEPLOY.resolve("prometheus").resolve("alerts.yml"), dir.resolve("alerts.yml"));
        // the deployed configuration, with the target on loopback and a one-second scrape
        String config = Files.readString(DEPLOY.resolve("prometheus").resolve("prometheus.yml"))
                .replace("scrape_interval: 5s", "scrape_interval: 1s").replace("evaluation_interval: 15s", "evaluation_interval: 1s")
                .replace("\"vane:8080\"", "\"127.0.0.1:" + vanePort + "\"");
        assertThat(config).contains("127.0.0.1:" + vanePort).contains("scrape_interval: 1s");
        Files.writeString(dir.resolve("prometheus.yml"), config);
        return new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    }

    /** The result vector (or matrix) of an instant query; fails on an error status. */
    private static List<JsonNode> query(String prom, String promql) {
        HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(URI.create(prom + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build());
        JsonNode body = TestServer.read(r.body());
        assertThat(body.path("status").asText()).as("%s: %s", promql, r.body()).isEqualTo("success");
        List<JsonNode> out = new ArrayList<>();
        body.get("data").get("result").forEach(out::add);
        return out;
    }

    /** The first sample's value of an instant query, NaN when it has none. */
    private static double value(String prom, String promql) {
        List<JsonNode> r = query(prom, promql);
        return r.isEmpty() ? Double.NaN : Double.parseDouble(r.get(0).get("value").get(1).asText());
    }

    private static int status(String url) {
        try {
            return TestServer.HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private static void admin(int port, String method, String path, String body) {
        HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build());
        assertEquals(200, r.statusCode(), r.body());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
