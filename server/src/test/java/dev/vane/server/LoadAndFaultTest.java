package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.hooks.Component;
import dev.vane.steering.artifact.VectorSet;
import dev.vane.steering.gguf.ControlVectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Load and faults on the bundled demo model, served by its own JVM (so that its memory can be
 * measured) on loopback: 64 concurrent streams, 50 streams dropped mid-stream, abandoned
 * non-streaming requests, and artifact uploads and profile changes on the admin API while they
 * run. Afterwards: no 5xx anywhere, every admitted stream complete, nothing running or waiting,
 * and the server's resident memory within 10% of what it was after a warm-up round. The figures
 * go to the test's output ({@code target/surefire-reports/dev.vane.server.LoadAndFaultTest-output.txt}).
 */
class LoadAndFaultTest {

    private static final String TOKEN = "load-test-admin-token-0123456789";
    private static final Pattern SERVING = Pattern.compile("vane: serving .* on http://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ADMIN = Pattern.compile("vane: admin API on http://127\\.0\\.0\\.1:(\\d+)");
    private static final int STREAMS = 64, DROPPED = 50, ABANDONED = 8, MAX_TOKENS = 64, DROPPED_MAX_TOKENS = 100;
    /** The demo model's geometry, for the uploaded control vectors. */
    private static final int LAYERS = 6, HIDDEN = 256;

    private static Process server;
    private static int port, adminPort;
    private static Path work;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("vane-load");
        Path model = Path.of("..").resolve(ServerSettings.DEFAULT_MODEL).toAbsolutePath().normalize();
        String cp = Path.of("target", "classes").toAbsolutePath() + File.pathSeparator + String.join(File.pathSeparator,
                RuntimeClasspathTest.runtimeClasspath().stream().map(p -> p.toAbsolutePath().toString()).toList());
        // a fixed, pre-touched heap: the resident size then moves only with what lives outside it
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms384m", "-Xmx384m", "-XX:+AlwaysPreTouch",
                "--add-modules", "jdk.incubator.vector", "-Dai.djl.offline=true", "--enable-native-access=ALL-UNNAMED",
                "-cp", cp, Main.class.getName());
        ProcessBuilder b = new ProcessBuilder(cmd).directory(work.toFile()).redirectError(work.resolve("stderr.txt").toFile());
        b.environment().putAll(Map.of("VANE_MODEL", model.toString(), "VANE_PORT", "0", "VANE_ADMIN_PORT", "0",
                "VANE_ADMIN_TOKEN", TOKEN, "VANE_ARTIFACTS", work.resolve("artifacts").toString(), "VANE_THREADS", "2",
                "VANE_SLOTS", "64", "VANE_CONTEXT", "128", "VANE_QUEUE_LIMIT", "128"));
        server = b.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        port = -1;
        adminPort = -1;
        for (String line; (port < 0 || adminPort < 0) && (line = out.readLine()) != null; ) {
            Matcher m = SERVING.matcher(line), a = ADMIN.matcher(line);
            if (m.find()) port = Integer.parseInt(m.group(1));
            if (a.find()) adminPort = Integer.parseInt(a.group(1));
        }
        assertThat(port).as("the server announced its port; stderr: %s", Files.readString(work.resolve("stderr.txt"))).isPositive();
        Thread.ofVirtual().start(() -> out.lines().forEach(l -> {})); // keep its stdout drained
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(60, TimeUnit.SECONDS)) server.destroyForcibly();
        }
        if (work != null) try (var files = Files.walk(work)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** What one round of load saw. */
    private static final class Tally {
        final AtomicInteger serverErrors = new AtomicInteger(), completed = new AtomicInteger(), refused = new AtomicInteger();
        final AtomicInteger dropped = new AtomicInteger(), abandoned = new AtomicInteger(), adminChanges = new AtomicInteger();
        final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());

        void status(int status, String what) {
            if (status >= 500) {
                serverErrors.incrementAndGet();
                problems.add(what + ": " + status);
            }
        }
    }

    @Test
    void holdsLoadAndFaultsWithNo5xxAndGivesBackItsMemory() throws Exception {
        long t0 = System.nanoTime();
        admin("PUT", "/admin/artifacts/base?format=gguf", gguf(1, 1));
        assertThat(admin("POST", "/admin/profiles",
                "{\"name\": \"load\", \"interventions\": [{\"kind\": \"vector\", \"artifact\": \"base\", \"scale\": 1}]}"))
                .isLessThan(300);
        Tally warm = round(16, 8, 2, 0);
        assertEquals(0, warm.serverErrors.get(), warm.problems.toString());
        awaitIdle();
        long rssBefore = rssKb();
        long t1 = System.nanoTime();
        double tokensBefore = metric("vane_generation_tokens_total");
        String closed = "vane_request_duration_seconds_count{endpoint=\"completions\",status=\"499\",transport=\"http\"}";
        double closedBefore = metric(closed);

        Tally run = round(STREAMS, DROPPED, ABANDONED, 3);
        awaitIdle();
        TestServer.await("the abandoned requests counted as 499", () -> metric(closed) - closedBefore >= ABANDONED);
        long rssAfter = rssKb();
        double tokens = metric("vane_generation_tokens_total") - tokensBefore;
        double wall = (System.nanoTime() - t1) / 1e9;
        double serverSide5xx = serverErrorCount();
        double change = 100.0 * (rssAfter - rssBefore) / rssBefore;
        System.out.printf("LoadAndFaultTest: load held: %d concurrent streams of %d tokens on the demo model (64 slots,"
                        + " context 128), %d completed; faults: %d streams dropped mid-stream, %d non-streaming requests"
                        + " abandoned (%.0f counted as 499), %d admin changes (uploads, profile edits) during the run;"
                        + " %.0f tokens generated (the dropped and abandoned asked for %d); 5xx: %d seen by clients,"
                        + " %.0f counted by the server; 429: %d; running/waiting after: %.0f/%.0f; RSS before %.1f MB,"
                        + " after %.1f MB (%+.1f%%); run %.1f s, whole test %.1f s%n",
                STREAMS, MAX_TOKENS, run.completed.get(), run.dropped.get(), run.abandoned.get(), metric(closed) - closedBefore,
                run.adminChanges.get(), tokens, (DROPPED + ABANDONED) * DROPPED_MAX_TOKENS,
                run.serverErrors.get(), serverSide5xx, run.refused.get(), metric("vane_requests_running"),
                metric("vane_requests_waiting"), rssBefore / 1024.0, rssAfter / 1024.0, change, wall,
                (System.nanoTime() - t0) / 1e9);

        assertEquals(0, run.serverErrors.get(), run.problems.toString());
        assertEquals(0, serverSide5xx, "5xx in the server's request metric");
        assertEquals(0, run.refused.get(), "the queue held every request");
        assertEquals(STREAMS, run.completed.get(), "every admitted stream completed: " + run.problems);
        assertEquals(DROPPED, run.dropped.get());
        assertEquals(ABANDONED, run.abandoned.get());
        assertThat(run.adminChanges.get()).isPositive();
        assertThat(tokens - STREAMS * MAX_TOKENS).as("tokens of the dropped and abandoned requests: cancelled early")
                .isLessThan((DROPPED + ABANDONED) * DROPPED_MAX_TOKENS / 2.0);
        assertEquals(0, metric("vane_requests_running"));
        assertEquals(0, metric("vane_requests_waiting"));
        assertThat(Math.abs(change)).as("RSS change, %%").isLessThanOrEqualTo(10.0);
    }

    /**
     * One round: {@code streams} streams to completion (every third with the {@code load}
     * profile, every third with an inline vector), {@code dropped} streams closed after their
     * first event and {@code abandoned} non-streaming requests closed at once, all together,
     * while an admin client uploads artifacts and edits profiles ({@code adminEvery}: pause
     * between its changes in ms; it stops when the streams are done).
     */
    private static Tally round(int streams, int dropped, int abandoned, int adminEvery) throws Exception {
        Tally t = new Tally();
        AtomicBoolean done = new AtomicBoolean();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> adminClient = pool.submit(() -> adminLoop(t, done, adminEvery));
            List<CompletableFuture<HttpResponse<String>>> full = new ArrayList<>();
            List<Future<?>> faults = new ArrayList<>();
            for (int i = 0; i < Math.max(streams, dropped); i++) {
                if (i < streams) full.add(TestServer.HTTP.sendAsync(post(streamBody(i, MAX_TOKENS)), HttpResponse.BodyHandlers.ofString()));
                int k = i;
                if (i < dropped) faults.add(pool.submit(() -> drop(t, streamBody(k, DROPPED_MAX_TOKENS), true)));
                if (i < abandoned)
                    faults.add(pool.submit(() -> drop(t, streamBody(1000 + k, DROPPED_MAX_TOKENS).replace("\"stream\": true", "\"stream\": false"), false)));
            }
            for (int i = 0; i < full.size(); i++) {
                HttpResponse<String> r = full.get(i).get(240, TimeUnit.SECONDS);
                t.status(r.statusCode(), "stream " + i);
                if (r.statusCode() == 429) t.refused.incrementAndGet();
                if (r.statusCode() == 200 && complete(r.body())) t.completed.incrementAndGet();
                else if (r.statusCode() == 200) t.problems.add("stream " + i + " incomplete: " + tail(r.body()));
            }
            for (Future<?> f : faults) f.get(240, TimeUnit.SECONDS);
            done.set(true);
            adminClient.get(240, TimeUnit.SECONDS);
        }
        return t;
    }

    private static String streamBody(int i, int maxTokens) {
        String vane = switch (i % 3) {
            case 0 -> ", \"vane\": {\"profile\": \"load\"}";
            case 1 -> ", \"vane\": {\"interventions\": [{\"kind\": \"vector\", \"artifact\": \"base\", \"scale\": 0.5}]}";
            default -> "";
        };
        return "{\"prompt\": \"Once upon a time, story number " + i + " began\", \"max_tokens\": " + maxTokens
                + ", \"temperature\": 0.8, \"seed\": " + i + ", \"ignore_eos\": true, \"stream\": true" + vane + "}";
    }

    private static HttpRequest post(String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** A finish chunk with a finish reason, then {@code [DONE]}; comments and other events in between. */
    private static boolean complete(String body) {
        List<JsonNode> events;
        try {
            events = TestServer.events(body);
        } catch (AssertionError e) {
            return false;
        }
        return events.stream().anyMatch(e -> e.has("choices") && e.get("choices").size() == 1
                && "length".equals(e.get("choices").get(0).path("finish_reason").asText()));
    }

    private static String tail(String body) {
        return body.length() <= 300 ? body : body.substring(body.length() - 300);
    }

    /**
     * Sends a request on a raw socket and closes it: a stream after its first event, a
     * non-streaming request at once.
     */
    private static void drop(Tally t, String body, boolean stream) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(240_000);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            if (!stream) {
                t.abandoned.incrementAndGet();
                return;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            int code = status == null ? -1 : Integer.parseInt(status.split(" ")[1]);
            t.status(code, "dropped stream");
            if (code != 200) return;
            for (String line; (line = in.readLine()) != null; )
                if (line.startsWith("data: ")) {
                    t.dropped.incrementAndGet();
                    return;
                }
            t.problems.add("a dropped stream ended before its first event");
        } catch (IOException e) {
            t.problems.add("dropped stream: " + e);
        }
    }

    /** Uploads and deletes artifacts and edits profiles until {@code done}. */
    private static void adminLoop(Tally t, AtomicBoolean done, int pauseMillis) {
        int k = 0;
        try {
            while (!done.get()) {
                String extra = "extra-" + (k % 3);
                int[] statuses = {
                        admin("PUT", "/admin/artifacts/" + extra + "?format=gguf", gguf(1 + k % (LAYERS - 1), 100 + k)),
                        admin("PUT", "/admin/profiles/load", "{\"interventions\": [{\"kind\": \"vector\", \"artifact\": \"base\","
                                + " \"scale\": " + (0.5 + (k % 4) * 0.25) + "}]}"),
                        admin("POST", "/admin/profiles", "{\"name\": \"tmp-" + k + "\", \"interventions\": [{\"kind\": \"vector\","
                                + " \"artifact\": \"" + extra + "\", \"scale\": 1}]}"),
                        admin("DELETE", "/admin/profiles/tmp-" + k, null),
                        admin("DELETE", "/admin/artifacts/" + extra, null)};
                for (int s : statuses) {
                    t.status(s, "admin change " + k);
                    if (s < 300) t.adminChanges.incrementAndGet();
                }
                k++;
                if (pauseMillis > 0) Thread.sleep(pauseMillis);
            }
        } catch (IOException | InterruptedException e) {
            t.problems.add("admin: " + e);
        }
    }

    /** A control vector for one block of the demo model, as llama.cpp's GGUF. */
    private static byte[] gguf(int layer, long seed) throws IOException {
        float[][] dirs = new float[LAYERS][];
        SplittableRandom r = new SplittableRandom(seed);
        dirs[layer] = new float[HIDDEN];
        for (int i = 0; i < HIDDEN; i++) dirs[layer][i] = (float) (r.nextDouble() * 2 - 1);
        Path file = Files.createTempFile(work, "cv", ".gguf");
        ControlVectors.exportGguf(new VectorSet(Component.RESID_POST, HIDDEN, dirs), "llama", file);
        byte[] bytes = Files.readAllBytes(file);
        Files.delete(file);
        return bytes;
    }

    private static int admin(String method, String path, Object body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .header("Authorization", "Bearer " + TOKEN);
        if (body instanceof byte[] bytes)
            b.method(method, HttpRequest.BodyPublishers.ofByteArray(bytes)).header("Content-Type", "application/octet-stream");
        else if (body instanceof String json)
            b.method(method, HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json");
        else b.method(method, HttpRequest.BodyPublishers.noBody());
        return TestServer.send(b.build()).statusCode();
    }

    private static double metric(String sample) {
        return TestServer.metricIn(TestServer.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build()).body(), sample);
    }

    /** Requests the server answered with a 5xx, by its own request-duration metric. */
    private static double serverErrorCount() {
        String text = TestServer.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build()).body();
        Matcher m = Pattern.compile("^vane_request_duration_seconds_count\\{[^}]*status=\"5\\d\\d\"[^}]*\\} (\\S+)$",
                Pattern.MULTILINE).matcher(text);
        double n = 0;
        while (m.find()) n += Double.parseDouble(m.group(1));
        return n;
    }

    private static void awaitIdle() throws InterruptedException {
        TestServer.await("nothing running or waiting", () -> metric("vane_requests_running") == 0
                && metric("vane_requests_waiting") == 0);
    }

    /** The server process's resident set, from the kernel. */
    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(server.pid()), "status")))
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
        throw new IllegalStateException("no VmRSS for the server process");
    }
}
