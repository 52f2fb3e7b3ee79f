package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.schedule.Scheduler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What clients see when things go wrong, on a real server whose engine a test can make fail or
 * park ({@link FaultyEngine}): engine failures, clients that leave, silent streams, shutdown.
 * Nothing here waits for time to pass: the engine is parked or admission held while the test
 * arranges what it needs, and conditions are awaited.
 */
class ServerFaultsTest {

    /** {@code <|begin_of_text|>Hello world}: a prompt of known length. */
    private static final String PROMPT = "[128000, 9906, 1917]";
    private static final int PROMPT_LENGTH = 3;

    private static VaneServer server;
    private static FaultyEngine engine;
    private static TestServer t;

    @BeforeAll
    static void start() {
        ServerSettings s = ServerSettings.defaults(TestServer.modelDir("vane-faults-model", true)).withPort(0)
                .withEngine(ComputeDType.F32, 2, 4, 512);
        server = Main.start(s, e -> engine = new FaultyEngine(e));
        t = TestServer.wrap(server, s);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void healthy() throws InterruptedException {
        engine.failFrom.set(-1);
        engine.release();
        ServerOpsTest.awaitIdle(t);
    }

    private static String completion(int maxTokens, boolean stream) {
        return "{\"prompt\": " + PROMPT + ", \"max_tokens\": " + maxTokens + ", \"temperature\": 0, \"ignore_eos\": true"
                + (stream ? ", \"stream\": true" : "") + "}";
    }

    @Test
    void anEngineFailureIsA500ThatNamesNoInternals() {
        engine.failFrom.set(0);
        for (String route : List.of("/v1/completions", "/v1/generate")) {
            HttpResponse<String> r = t.post(route, completion(5, false));
            JsonNode err = TestServer.assertError(r, 500, null);
            assertEquals("server_error", err.get("type").asText());
            // the fault is one sequence's hook: that sequence alone fails, saying where, naming no internals
            assertEquals("an intervention of this sequence failed at logits", err.get("message").asText());
        }
        engine.failFrom.set(-1);
        assertEquals(5, t.ok("/v1/completions", completion(5, false)).get("usage").get("completion_tokens").asInt(),
                "the engine serves the next request");
    }

    @Test
    void anEngineFailureMidStreamEndsTheStreamWithAnErrorEvent() {
        engine.failFrom.set(PROMPT_LENGTH + 3); // the step that would sample the fifth token fails
        List<JsonNode> events = t.stream("/v1/completions", completion(20, true).replace("}", ", \"logprobs\": 1}"));
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.has("error")).as("last event %s", last).isTrue();
        assertEquals("server_error", last.get("error").get("type").asText());
        List<JsonNode> tokens = events.subList(0, events.size() - 1);
        assertThat(tokens).hasSize(4).allSatisfy(c -> assertThat(c.get("choices").get(0).get("finish_reason").isNull()).isTrue());

        List<JsonNode> generate = t.stream("/v1/generate", completion(20, true));
        assertThat(generate).hasSize(5);
        assertThat(generate.get(3).has("token")).isTrue();
        assertEquals("server_error", generate.get(4).get("error").get("type").asText());
    }

    @Test
    void clientsThatLeaveRunningNonStreamingRequestsHaveThemCancelled() throws Exception {
        double generated = t.metric("vane_generation_tokens_total");
        String closed = "vane_request_duration_seconds_count{endpoint=\"completions\",status=\"499\",transport=\"http\"}";
        double closedBefore = t.metric(closed);
        int n = 4, maxTokens = 300;
        engine.parkAt(PROMPT_LENGTH + 5);
        engine.expectCancels(n);
        List<TestServer.RawStream> clients = new ArrayList<>();
        try (Scheduler.AdmissionHold hold = t.scheduler().holdAdmission()) { // all four run from the same step
            for (int i = 0; i < n; i++) clients.add(t.rawStream("/v1/completions", completion(maxTokens, false)));
            TestServer.await("four requests queued", () -> server.engine().stats().waiting() == n);
        }
        engine.awaitParked(); // the engine is inside the step of the sixth token, all four rows running
        assertEquals(n, server.engine().stats().running());
        for (TestServer.RawStream c : clients) c.close();
        engine.awaitCancels(); // the routes noticed the closed connections while the engine stood still
        engine.release();
        ServerOpsTest.awaitIdle(t);
        assertThat(t.metric("vane_generation_tokens_total") - generated).as("tokens generated")
                .isLessThanOrEqualTo(n * 8);
        ServerOpsTest.awaitMetric(t, closed, closedBefore + n);
    }

    @Test
    void aQueuedNonStreamingRequestWhoseClientLeavesLeavesTheQueue() throws Exception {
        double generated = t.metric("vane_generation_tokens_total");
        engine.expectCancels(1);
        try (Scheduler.AdmissionHold hold = t.scheduler().holdAdmission()) {
            TestServer.RawStream client = t.rawStream("/v1/generate", completion(50, false));
            TestServer.await("the request queued", () -> server.engine().stats().waiting() == 1);
            client.close();
            engine.awaitCancels();
            TestServer.await("the queue empty while admission is still held", () -> server.engine().stats().waiting() == 0);
        }
        ServerOpsTest.awaitIdle(t);
        assertEquals(generated, t.metric("vane_generation_tokens_total"), "it never ran");
    }

    @Test
    void aQueuedStreamWhoseClientLeavesLeavesTheQueue() throws Exception {
        double generated = t.metric("vane_generation_tokens_total");
        engine.expectCancels(1);
        try (Scheduler.AdmissionHold hold = t.scheduler().holdAdmission()) {
            TestServer.RawStream client = t.rawStream("/v1/completions", completion(50, true));
            TestServer.await("the request queued", () -> server.engine().stats().waiting() == 1);
            client.close();
            engine.awaitCancels(); // its keep-alive comments found the connection closed
            TestServer.await("the queue empty while admission is still held", () -> server.engine().stats().waiting() == 0);
        }
        ServerOpsTest.awaitIdle(t);
        assertEquals(generated, t.metric("vane_generation_tokens_total"), "it never ran");
    }

    @Test
    void aSilentStreamGetsKeepAliveCommentsThatClientsSkip() throws Exception {
        HttpResponse<Stream<String>> r;
        List<String> lines = new ArrayList<>();
        Iterator<String> it;
        try (Scheduler.AdmissionHold hold = t.scheduler().holdAdmission()) { // nothing to send until it is released
            r = TestServer.HTTP.send(HttpRequest.newBuilder(t.uri("/v1/chat/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 4, \"stream\": true}"))
                    .build(), HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, r.statusCode());
            it = r.body().iterator();
            while (it.hasNext()) {
                String line = it.next();
                lines.add(line);
                if (line.startsWith(":")) break;
            }
        }
        assertThat(lines).as("a keep-alive comment while the request waits").last().isEqualTo(": keep-alive");
        while (it.hasNext()) lines.add(it.next());
        List<JsonNode> events = TestServer.events(String.join("\n", lines) + "\n");
        assertEquals("length", events.get(events.size() - 1).get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void aRequestPastItsDeadlineAnswersWithWhatItHasAndFinishReasonTimeout() throws Exception {
        String body = completion(50, false).replace("}", ", \"vane\": {\"timeout_seconds\": 0.5}}");
        engine.parkAt(PROMPT_LENGTH + 2); // the step that samples the fourth token waits until the deadline has passed
        long sent = System.nanoTime();
        CompletableFuture<HttpResponse<String>> plain = TestServer.HTTP.sendAsync(HttpRequest.newBuilder(t.uri("/v1/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        engine.awaitParked();
        while (System.nanoTime() - sent < 600_000_000L) Thread.sleep(50); // a deadline test lets its deadline pass
        engine.release();
        HttpResponse<String> r = plain.join();
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = TestServer.read(r.body());
        assertEquals("timeout", j.get("choices").get(0).get("finish_reason").asText());
        assertEquals(4, j.get("usage").get("completion_tokens").asInt(), "the tokens before the deadline are kept");

        // a stream says so in its finish chunk; the generate route in finish_reason
        for (String route : List.of("/v1/completions", "/v1/generate")) {
            engine.parkAt(PROMPT_LENGTH + 2);
            long started = System.nanoTime();
            CompletableFuture<HttpResponse<String>> stream = TestServer.HTTP.sendAsync(HttpRequest.newBuilder(t.uri(route))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(completion(50, true).replace("}", ", \"vane\": {\"timeout_seconds\": 0.5}}")))
                    .build(), HttpResponse.BodyHandlers.ofString());
            engine.awaitParked();
            while (System.nanoTime() - started < 600_000_000L) Thread.sleep(50);
            engine.release();
            List<JsonNode> events = TestServer.events(stream.join().body());
            JsonNode last = events.get(events.size() - 1);
            assertEquals("timeout", route.equals("/v1/generate") ? last.get("finish_reason").asText()
                    : last.get("choices").get(0).get("finish_reason").asText(), route);
            ServerOpsTest.awaitIdle(t);
        }
    }

    @Test
    void aRequestDeadlineIsValidated() {
        for (String bad : List.of("0", "-1", "\"soon\"", "86401", "1e400"))
            TestServer.assertError(t.post("/v1/generate", "{\"prompt\": \"x\", \"vane\": {\"timeout_seconds\": " + bad + "}}"),
                    400, "vane.timeout_seconds");
        assertEquals(200, t.post("/v1/generate", "{\"prompt\": \"x\", \"max_tokens\": 2, \"vane\": {\"timeout_seconds\": 30}}")
                .statusCode());
    }

    /** SIGTERM's path: readiness and new requests get 503 at once, a stream in flight runs to its end, then the server closes. */
    @Test
    void aGracefulStopFinishesTheStreamInFlightAndRefusesNewRequests() throws Exception {
        ServerSettings s = ServerSettings.defaults(TestServer.modelDir("vane-drain-model", true)).withPort(0)
                .withEngine(ComputeDType.F32, 1, 2, 256);
        FaultyEngine[] engineRef = new FaultyEngine[1];
        VaneServer other = Main.start(s, e -> engineRef[0] = new FaultyEngine(e));
        TestServer o = TestServer.wrap(other, s);
        engineRef[0].parkAt(20); // the stream stops mid-way until the drain has begun
        CompletableFuture<HttpResponse<String>> stream = TestServer.HTTP.sendAsync(HttpRequest.newBuilder(o.uri("/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(completion(40, true))).build(), HttpResponse.BodyHandlers.ofString());
        engineRef[0].awaitParked();
        Thread stopping = Thread.ofPlatform().start(() -> other.drainAndClose(java.time.Duration.ofSeconds(60)));
        TestServer.await("readiness down", () -> o.get("/health/ready").statusCode() == 503);
        JsonNode err = TestServer.assertError(o.post("/v1/completions", completion(2, false)), 503, null);
        assertEquals("the server is shutting down", err.get("message").asText());
        assertThat(stopping.isAlive()).as("the stop waits for the stream").isTrue();
        engineRef[0].release();
        String body = stream.join().body();
        List<JsonNode> events = TestServer.events(body);
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.path("choices").path(0).path("finish_reason").asText()).as("the stream ran to its end: %s", body)
                .isEqualTo("length");
        stopping.join(60_000);
        assertThat(stopping.isAlive()).isFalse();
        assertThat(other.engine().stats().running()).isZero();
    }

    @Test
    void shutdownAnswersRequestsInFlightAndLaterOnesWith503() throws Exception {
        ServerSettings s = ServerSettings.defaults(TestServer.modelDir("vane-shutdown-model", true)).withPort(0)
                .withEngine(ComputeDType.F32, 1, 2, 256);
        FaultyEngine[] closing = new FaultyEngine[1];
        try (VaneServer other = Main.start(s, e -> closing[0] = new FaultyEngine(e))) {
            TestServer o = TestServer.wrap(other, s);
            CompletableFuture<HttpResponse<String>> waiting, stream;
            try (Scheduler.AdmissionHold hold = closing[0].scheduler().holdAdmission()) {
                waiting = TestServer.HTTP.sendAsync(HttpRequest.newBuilder(o.uri("/v1/completions"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(completion(5, false))).build(), HttpResponse.BodyHandlers.ofString());
                stream = TestServer.HTTP.sendAsync(HttpRequest.newBuilder(o.uri("/v1/generate"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(completion(5, true))).build(), HttpResponse.BodyHandlers.ofString());
                TestServer.await("both queued", () -> other.engine().stats().waiting() == 2);
                other.engine().close(); // what close() does first: the engine ends what it holds
            }
            JsonNode err = TestServer.assertError(waiting.join(), 503, null);
            assertEquals("the server is shutting down", err.get("message").asText());
            List<JsonNode> events = TestServer.events(stream.join().body());
            assertThat(events).hasSize(1);
            assertEquals("the server is shutting down", events.get(0).get("error").get("message").asText());
            err = TestServer.assertError(o.post("/v1/completions", completion(5, false)), 503, null);
            assertEquals("server_error", err.get("type").asText());
        }
    }
}
