package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What error bodies may say: the field and the problem, a short snippet of the input at most, and
 * for a failure of the server a reference to its log line, never a class name, a message from
 * inside or a path. And what the log says when a client goes away: one line, no stack trace.
 */
class ErrorBodiesTest {

    private static final String LONG = "x".repeat(2048);

    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override public void publish(LogRecord r) { synchronized (logged) { logged.add(r); } }
        @Override public void flush() {}
        @Override public void close() {}
    };

    @BeforeAll
    static void startBeforeCapturing() {
        TestServer.shared();
    }

    @BeforeEach
    void captureLogs() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void releaseLogs() {
        Logger.getLogger("").removeHandler(capture);
    }

    private List<LogRecord> logged() {
        synchronized (logged) {
            return List.copyOf(logged);
        }
    }

    /** A message and param that quote at most a snippet of the 2 KB value sent. */
    private static void assertShortEcho(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode err = TestServer.read(r.body()).get("error");
        assertThat(err.get("message").asText()).hasSizeLessThan(300).doesNotContain("x".repeat(100));
        assertThat(err.get("param").asText("")).hasSizeLessThan(100);
    }

    @Test
    void errorsQuoteAtMostASnippetOfTheInput() {
        TestServer t = TestServer.shared();
        assertShortEcho(t.post("/v1/completions", "{\"prompt\": \"hi\", \"" + LONG + "\": 1}"), 400);
        assertShortEcho(t.post("/v1/completions", "{\"prompt\": \"hi\", \"model\": \"" + LONG + "\"}"), 404);
        assertShortEcho(t.post("/v1/completions", "{\"prompt\": [1, \"" + LONG + "\"]}"), 400);
        assertShortEcho(t.post("/v1/completions", "{\"prompt\": " + LONG + "}"), 400);
        assertShortEcho(t.post("/v1/completions", "{\"" + LONG + "\": 1, \"" + LONG + "\": 2}"), 400);
        assertShortEcho(t.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"" + LONG + "\", \"content\": \"hi\"}]}"), 400);
        assertShortEcho(t.post("/v1/generate", "{\"prompt\": \"hi\", \"vane\": {\"interventions\": [{\"kind\": \"" + LONG
                + "\"}]}}"), 400);
        assertShortEcho(t.post("/v1/generate", "{\"prompt\": \"hi\", \"vane\": {\"profile\": \"" + LONG + "\"}}"), 400);
        assertShortEcho(t.post("/v1/generate", "text/" + LONG, "{}"), 415);
        assertShortEcho(t.get("/v1/" + LONG), 404);
    }

    @Test
    void aFailureOfTheServerAnswersAReferenceAndLogsTheCause() throws Exception {
        ServerMetrics metrics = new ServerMetrics("test-model");
        // no Helidon shutdown hook, as VaneServer: registering one swaps the root log handlers
        WebServer web = WebServer.builder().host("127.0.0.1").port(0).featuresDiscoverServices(false).shutdownHook(false)
                .routing(r -> r.get("/boom", Responses.timed(metrics, "boom", (req, res) -> {
                    throw new IllegalStateException("cannot open /srv/secret/weights.bin");
                }))).build().start();
        try {
            HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + web.port() + "/boom")).build());
            JsonNode err = TestServer.assertError(r, 500, null);
            String message = err.get("message").asText();
            assertThat(message).doesNotContain("IllegalStateException").doesNotContain("/srv/secret").contains("ref ");
            String ref = message.replaceAll(".*ref ([0-9a-f]+).*", "$1");
            assertThat(logged()).anySatisfy(l -> {
                assertThat(l.getLevel()).isEqualTo(Level.SEVERE);
                assertThat(l.getMessage()).contains(ref);
                assertThat(l.getThrown()).hasMessageContaining("/srv/secret");
            });
        } finally {
            web.stop();
        }
    }

    /**
     * A client that closes its connection halfway through its body is one log line, without a
     * stack trace, and is counted under 499, not 500.
     */
    @Test
    void aClientThatGoesAwayMidBodyIsOneLogLineAndNotA500() throws Exception {
        TestServer t = TestServer.shared();
        String served = "vane_request_duration_seconds_count{endpoint=\"completions\",status=\"";
        String http = "\",transport=\"http\"}";
        double errorsBefore = t.metric(served + "500" + http);
        double goneBefore = t.metric(served + "499" + http);
        try (Socket s = new Socket("127.0.0.1", t.server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000\r\n\r\n{\"prompt\": \"Once upon").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (t.metric(served + "499" + http) < goneBefore + 1 && System.nanoTime() < deadline) Thread.sleep(20);

        assertThat(t.metric(served + "499" + http)).isEqualTo(goneBefore + 1);
        assertThat(t.metric(served + "500" + http)).isEqualTo(errorsBefore);
        List<LogRecord> records = logged();
        assertThat(records).noneMatch(l -> l.getLevel().intValue() >= Level.WARNING.intValue());
        assertThat(records).noneMatch(l -> l.getThrown() != null);
        assertThat(records).filteredOn(l -> String.valueOf(l.getMessage()).contains("closed the connection")).hasSize(1);
    }

    /** A prompt that cannot fit whatever its tokens is refused by its length in bytes, before tokenizing. */
    @Test
    void aPromptTooLongForTheContextIsRefusedByItsBytes() {
        TestServer t = TestServer.shared();
        String huge = "hello ".repeat(60_000); // 360 KB; the context holds 512 tokens
        for (HttpResponse<String> r : List.of(
                t.post("/v1/completions", "{\"prompt\": \"" + huge + "\"}"),
                t.post("/v1/generate", "{\"prompt\": \"" + huge + "\"}"),
                t.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"" + huge + "\"}]}"))) {
            JsonNode err = TestServer.assertError(r, 413, r.uri().getPath().endsWith("chat/completions") ? "messages" : "prompt");
            assertThat(err.get("code").asText()).isEqualTo("context_length_exceeded");
            assertThat(err.get("message").asText()).contains("bytes of text");
        }
    }
}
