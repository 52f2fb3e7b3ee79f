package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.schedule.Scheduler;
import dev.vane.engine.weights.SafetensorsFile;
import dev.vane.engine.weights.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Models, health, metrics, cancellation, back-pressure and batching through the real server. */
class ServerOpsTest {

    /** One sample line of the Prometheus text format 0.0.4. */
    private static final Pattern SAMPLE = Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? (-?[0-9.]+([eE][-+]?[0-9]+)?|NaN|[+-]Inf)");

    private final TestServer s = TestServer.shared();

    @Test
    void listsTheModelAndReportsHealth() {
        JsonNode models = TestServer.read(s.get("/v1/models").body());
        assertEquals("list", models.get("object").asText());
        JsonNode m = models.get("data").get(0);
        assertEquals(s.modelId, m.get("id").asText());
        assertEquals("model", m.get("object").asText());
        assertThat(m.get("created").isNumber()).isTrue();
        assertEquals(200, s.get("/health/live").statusCode());
        HttpResponse<String> ready = s.get("/health/ready");
        assertEquals(200, ready.statusCode());
        assertEquals("UP", TestServer.read(ready.body()).get("status").asText());
        TestServer.assertError(s.get("/v1/nothing-here"), 404, null);
    }

    @Test
    void exposesPrometheusMetricsThatMove() throws Exception {
        HttpResponse<String> before = s.get("/metrics");
        assertEquals(200, before.statusCode());
        assertThat(before.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        String durationCount = "vane_request_duration_seconds_count{endpoint=\"completions\",status=\"200\",transport=\"http\"}";
        double requests = s.metric(durationCount);
        double ttft = s.metric("vane_time_to_first_token_seconds_count");
        double itl = s.metric("vane_inter_token_latency_seconds_count");
        double generated = s.metric("vane_generation_tokens_total");
        double prompt = s.metric("vane_prompt_tokens_total");
        double batches = s.metric("vane_batch_size_count{phase=\"generation\"}");
        double byLength = s.metric("vane_requests_finished_total{finish_reason=\"length\"}");
        double promptLengths = s.metric("vane_request_prompt_tokens_sum"), generatedLengths = s.metric("vane_request_generation_tokens_sum");
        double prefills = s.metric("vane_request_prefill_seconds_count"), decodes = s.metric("vane_request_decode_seconds_count");
        s.ok("/v1/completions", "{\"prompt\": \"Hello there\", \"max_tokens\": 4, \"temperature\": 0, \"ignore_eos\": true}");
        TestServer.assertError(s.post("/v1/completions", "{\"prompt\": \"x\", \"n\": 0}"), 400, "n");

        String text = s.get("/metrics").body();
        for (String line : text.split("\n"))
            if (!line.isEmpty() && !line.startsWith("#")) assertThat(line).matches(SAMPLE);
        for (String family : List.of("vane_request_duration_seconds", "vane_time_to_first_token_seconds",
                "vane_inter_token_latency_seconds", "vane_request_queue_seconds", "vane_batch_size"))
            assertThat(text).contains("# TYPE " + family + " histogram").contains(family + "_bucket{");
        for (String gauge : List.of("vane_requests_running", "vane_requests_waiting", "vane_kv_cache_bytes",
                "vane_kv_cache_capacity_bytes", "vane_model_weight_bytes"))
            assertThat(text).contains("# TYPE " + gauge + " gauge");
        // 8 slots × 512 positions × 2 layers × 2 KV heads × 16 × K and V × 4 bytes
        assertEquals(8 * 512 * 512, s.metric("vane_kv_cache_capacity_bytes"));
        try (SafetensorsFile f = SafetensorsFile.open(s.model.resolve("model.safetensors"))) { // served in f32
            assertEquals(4 * f.tensors().values().stream().mapToLong(TensorInfo::elementCount).sum(), s.metric("vane_model_weight_bytes"));
        }
        assertThat(text).contains("# TYPE vane_prompt_tokens_total counter").contains("# TYPE vane_generation_tokens_total counter");

        awaitMetric(s, durationCount, requests + 1); // recorded just after the response is written
        awaitMetric(s, "vane_request_duration_seconds_count{endpoint=\"completions\",status=\"400\",transport=\"http\"}", 1);
        assertThat(s.metric("vane_request_duration_seconds_bucket{endpoint=\"completions\",status=\"200\",transport=\"http\",le=\"+Inf\"}"))
                .isEqualTo(requests + 1);
        assertEquals(ttft + 1, s.metric("vane_time_to_first_token_seconds_count"));
        assertEquals(itl + 3, s.metric("vane_inter_token_latency_seconds_count"));
        assertEquals(generated + 4, s.metric("vane_generation_tokens_total"));
        assertEquals(prompt + 2, s.metric("vane_prompt_tokens_total"));
        assertEquals(batches + 3, s.metric("vane_batch_size_count{phase=\"generation\"}"), "one prefill, three decode steps");
        assertEquals(0, s.metric("vane_requests_running"));
        awaitMetric(s, "vane_requests_finished_total{finish_reason=\"length\"}", byLength + 1); // recorded as the result completes
        assertEquals(promptLengths + 2, s.metric("vane_request_prompt_tokens_sum"));
        assertEquals(generatedLengths + 4, s.metric("vane_request_generation_tokens_sum"));
        assertEquals(prefills + 1, s.metric("vane_request_prefill_seconds_count"));
        assertEquals(decodes + 1, s.metric("vane_request_decode_seconds_count"));
        String after = s.get("/metrics").body();
        for (String reason : List.of("stop", "length", "cancelled", "timeout", "error"))
            assertThat(after).containsPattern("(?m)^vane_requests_finished_total\\{[^}]*finish_reason=\"" + reason + "\"");
        assertThat(s.metric("vane_kv_cache_usage_ratio")).isBetween(0.0, 1.0);
        // every series names the served model
        for (String line : after.split("\n"))
            if (!line.startsWith("#") && !line.isEmpty()) assertThat(line).contains("model=\"" + s.modelId + "\"");
        // histograms keep one small fixed bucket set: tens of series, not hundreds
        java.util.Map<String, Integer> buckets = new java.util.HashMap<>();
        for (String line : after.split("\n"))
            if (line.contains("_bucket{")) buckets.merge(line.substring(0, line.indexOf(",le=")), 1, Integer::sum);
        assertThat(buckets).isNotEmpty().allSatisfy((series, n) -> assertThat(n).as(series).isBetween(5, 20));
        for (String jvm : List.of("jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                "process_cpu_usage", "process_uptime_seconds", "system_cpu_count"))
            assertThat(after).as(jvm).containsPattern("(?m)^" + jvm + "\\{");
    }

    @Test
    void aDroppedStreamFreesItsSlot() throws Exception {
        double generated = s.metric("vane_generation_tokens_total");
        try (TestServer.RawStream stream = s.rawStream("/v1/completions",
                "{\"prompt\": \"Tell me\", \"max_tokens\": 500, \"ignore_eos\": true, \"stream\": true}")) {
            assertThat(stream.awaitData()).contains("200");
            assertEquals(1, s.metric("vane_requests_running"));
            assertEquals(s.metric("vane_kv_cache_capacity_bytes") / 8, s.metric("vane_kv_cache_bytes"), "one slot's entries");
        }
        awaitIdle(s);
        assertEquals(0, s.metric("vane_kv_cache_bytes"));
        assertThat(s.metric("vane_generation_tokens_total") - generated).as("cancelled long before max_tokens").isLessThan(400);
    }

    @Test
    void aFullQueueGets429WithRetryAfter() throws Exception {
        ServerSettings settings = ServerSettings.defaults(TestServer.modelDir("vane-no-template", false)).withPort(0)
                .withEngine(ComputeDType.F32, 1, 1, 1024).withQueueLimit(0);
        try (VaneServer server = Main.start(settings)) {
            TestServer small = TestServer.wrap(server, settings);
            TestServer.assertError(small.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"),
                    400, "messages");
            // under an admission hold the one place (a free slot, queue limit 0) stays taken
            try (Scheduler.AdmissionHold hold = small.scheduler().holdAdmission();
                 TestServer.RawStream stream = small.rawStream("/v1/completions",
                    "{\"prompt\": \"Tell me\", \"max_tokens\": 1000, \"ignore_eos\": true, \"stream\": true}")) {
                TestServer.await("the stream queued", () -> server.engine().stats().waiting() == 1);
                HttpResponse<String> refused = small.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 2}");
                JsonNode err = TestServer.assertError(refused, 429, null);
                assertEquals("rate_limit_exceeded", err.get("code").asText());
                assertThat(Integer.parseInt(refused.headers().firstValue("retry-after").orElse("0"))).isPositive();
                TestServer.assertError(small.post("/v1/completions", "{\"prompt\": \"x\", \"n\": 2}"), 400, "n");
            }
            awaitIdle(small);
            small.ok("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 2}");
            awaitMetric(small, "vane_request_duration_seconds_count{endpoint=\"completions\",status=\"429\",transport=\"http\"}", 1);
        }
    }

    /** A KV cache beyond memory stops the start with the settings and the numbers, on either decoder, before any allocation. */
    @ParameterizedTest
    @EnumSource(value = ComputeDType.class, names = "Q4_K", mode = EnumSource.Mode.EXCLUDE) // q4_k: GGUF files only (below)
    void aKvCacheBeyondMemoryIsRefusedAtStart(ComputeDType dtype) {
        ServerSettings settings = ServerSettings.defaults(TestServer.modelDir("vane-huge-cache", false)).withPort(0)
                .withEngine(dtype, 1, 1_000_000, 65536);
        assertThatThrownBy(() -> Main.start(settings)).isInstanceOf(SettingsException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--slots 1000000 × --context 65536: a KV cache of 1000000 slots × 65536 positions needs "
                        + (dtype == ComputeDType.F32 ? "31250.0 GiB of native memory" : "15625.0 GiB of Java heap")) // f32 on the tensor decoder, f16 on the Java one
                .hasMessageContaining("lower --slots or --context");
    }

    /** q4_k names GGUF files stored in Q4_K: on a checkpoint it is a usage error naming the flag, before anything loads. */
    @Test
    void q4kOnACheckpointIsRefusedNamingTheFlag() {
        ServerSettings settings = ServerSettings.defaults(TestServer.modelDir("vane-q4k-checkpoint", false)).withPort(0)
                .withEngine(ComputeDType.Q4_K, 1, 1, 64);
        assertThatThrownBy(() -> Main.start(settings)).isInstanceOf(SettingsException.class)
                .hasMessageStartingWith("--dtype q4_k: runs GGUF files stored in Q4_K");
    }

    @Test
    void concurrentStreamsMatchSequentialRunsRowForRow() throws InterruptedException {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 8; i++)
            bodies.add("{\"prompt\": \"Row " + i + (i % 2 == 0 ? " of the batch" : "") + "\", \"max_tokens\": " + (10 + i)
                    + ", \"temperature\": 0, \"ignore_eos\": true, \"logprobs\": 1, \"stream\": true}");
        List<List<String>> sequential = new ArrayList<>();
        for (String b : bodies) sequential.add(tokens(s.stream("/v1/completions", b)));
        String single = "vane_batch_size_bucket{phase=\"generation\",le=\"1.0\"}";
        String all = "vane_batch_size_count{phase=\"generation\"}";
        double batchedBefore = s.metric(all) - s.metric(single);
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        try (Scheduler.AdmissionHold hold = s.scheduler().holdAdmission()) { // the eight start together
            for (String b : bodies)
                futures.add(TestServer.HTTP.sendAsync(HttpRequest.newBuilder(s.uri("/v1/completions"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(b)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            TestServer.await("eight requests queued", () -> s.server.engine().stats().waiting() == 8);
        }
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> r = futures.get(i).join();
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(sequential.get(i), tokens(TestServer.events(r.body())), "row " + i);
            assertEquals(10 + i, sequential.get(i).size());
        }
        assertThat(s.metric(all) - s.metric(single)).as("decode steps with several rows").isGreaterThan(batchedBefore);
    }

    /** Token strings and text of a completions stream. */
    private static List<String> tokens(List<JsonNode> chunks) {
        List<String> out = new ArrayList<>();
        for (JsonNode c : chunks) {
            JsonNode lp = c.get("choices").get(0).get("logprobs");
            if (lp != null && !lp.isNull()) lp.get("tokens").forEach(t -> out.add(t.asText()));
        }
        return out;
    }

    /** Waits until a sample reaches at least {@code atLeast} (a metric is recorded just after its response is sent). */
    static void awaitMetric(TestServer server, String sample, double atLeast) throws InterruptedException {
        TestServer.await(sample + " >= " + atLeast, () -> server.metric(sample) >= atLeast);
    }

    /** Waits until no sequence runs or waits. */
    static void awaitIdle(TestServer server) throws InterruptedException {
        TestServer.await("no sequence running or waiting", () -> server.metric("vane_requests_running") == 0
                && server.metric("vane_requests_waiting") == 0);
    }
}
