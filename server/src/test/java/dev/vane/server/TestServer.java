package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.weights.FileDType;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A real server on a free port over a tiny random Llama (f16 file, f32 compute) with the Llama 3
 * tokenizer and chat template, shared by the server tests; plus HTTP helpers.
 */
final class TestServer {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** The shared server: 8 slots, context 512, queue 64. */
    private static TestServer shared;

    final VaneServer server;
    final Path model;
    final String modelId;

    private TestServer(VaneServer server, Path model) {
        this.server = server;
        this.model = model;
        this.modelId = model.getFileName().toString();
    }

    static synchronized TestServer shared() {
        if (shared == null) {
            Path dir = modelDir("vane-model", true);
            ServerSettings s = ServerSettings.defaults(dir).withPort(0).withEngine(ComputeDType.F32, 2, 8, 512);
            shared = new TestServer(Main.start(s), dir);
            Runtime.getRuntime().addShutdownHook(new Thread(shared.server::close));
        }
        return shared;
    }

    /** Helpers over a separately started server (the caller closes it). */
    /**
     * Settings of a server on the bundled demo model, on a free port, with its own artifact
     * registry at {@code registry} (the bundled steering is installed into it at start).
     */
    static ServerSettings demo(Path registry) {
        return ServerSettings.defaults(dev.vane.steering.DemoModelDir.path()).withPort(0)
                .withAdmin(new ServerSettings.Admin(registry, 0, java.util.Optional.empty(), 64L << 20, java.util.Optional.empty()));
    }

    /** A request to {@code server}'s admin port; {@code type} and {@code token} may be null (no header). */
    static HttpResponse<String> admin(VaneServer server, String token, String method, String path, String type,
                                      HttpRequest.BodyPublisher body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort().getAsInt() + path))
                .method(method, body);
        if (type != null) b.header("Content-Type", type);
        if (token != null) b.header("Authorization", "Bearer " + token);
        return send(b.build());
    }

    /** A JSON request (or none, for {@code json} null) to {@code server}'s admin port with {@code token}. */
    static HttpResponse<String> admin(VaneServer server, String token, String method, String path, String json) {
        return admin(server, token, method, path, json == null ? null : "application/json",
                json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    }

    static TestServer wrap(VaneServer server, ServerSettings settings) {
        return new TestServer(server, settings.model());
    }

    /** A model directory; {@code chatTemplate} false leaves out tokenizer_config.json (and so the template). */
    static Path modelDir(String name, boolean chatTemplate) {
        try {
            Path dir = Files.createTempDirectory(name);
            FixtureWriter.write(Preset.TINY_LLAMA3_VOCAB.config(), FileDType.F16, 5, dir);
            List<String> files = chatTemplate ? List.of("tokenizer.json", "tokenizer_config.json") : List.of("tokenizer.json");
            for (String f : files)
                Files.copy(Path.of("../engine/src/test/resources/tokenizers/llama3", f), dir.resolve(f),
                        StandardCopyOption.REPLACE_EXISTING);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpResponse<String> post(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> post(String path, String body) {
        return post(path, "application/json", body);
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).build());
    }

    /** POSTs and checks for a 200 JSON body. */
    JsonNode ok(String path, String body) {
        HttpResponse<String> r = post(path, body);
        assertEquals(200, r.statusCode(), r.body());
        return read(r.body());
    }

    /** POSTs a stream request; returns the JSON payloads of its {@code data:} events, checking the {@code [DONE]} end. */
    List<JsonNode> stream(String path, String body) {
        HttpResponse<String> r = post(path, body);
        assertEquals(200, r.statusCode(), r.body());
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        return events(r.body());
    }

    /**
     * The JSON payloads of an SSE body's {@code data:} events, checking that {@code data: [DONE]}
     * ends it. Comment lines ({@code :} first, the server's keep-alives) are skipped, as SSE
     * clients do; any other line that is not a {@code data:} field fails.
     */
    static List<JsonNode> events(String body) {
        List<String> data = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            for (String line : block.split("\n")) {
                if (line.startsWith(":")) continue;
                assertThat(line).as("an SSE line of %s", body).startsWith("data: ");
                data.add(line.substring("data: ".length()));
            }
        }
        assertThat(data).as("the stream ends with [DONE]").isNotEmpty().last().isEqualTo("[DONE]");
        List<JsonNode> events = new ArrayList<>();
        for (String d : data.subList(0, data.size() - 1)) events.add(read(d));
        return events;
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Checks an OpenAI error body. */
    static JsonNode assertError(HttpResponse<String> r, int status, String param) {
        assertEquals(status, r.statusCode(), r.body());
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        JsonNode err = read(r.body()).get("error");
        assertThat(err.get("message").asText()).isNotBlank();
        assertThat(err.get("type").asText()).isNotBlank();
        assertThat(err.has("code")).isTrue();
        if (param == null) assertThat(err.get("param").isNull()).as(r.body()).isTrue();
        else assertEquals(param, err.get("param").asText(), r.body());
        return err;
    }

    /**
     * Waits until {@code condition} holds, checking every 10 ms; fails after a minute. The bound
     * only ends a test that would otherwise hang: no test relies on how fast anything happens.
     */
    static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("still not true after a minute: " + what);
            Thread.sleep(10);
        }
    }

    /** The scheduler behind the routes, to hold admission. */
    dev.vane.engine.schedule.Scheduler scheduler() {
        return server.engine() instanceof FaultyEngine f ? f.scheduler() : (dev.vane.engine.schedule.Scheduler) server.engine();
    }

    /** The value of one sample of the Prometheus text, or 0 when absent. */
    double metric(String sample) {
        return metricIn(get("/metrics").body(), sample);
    }

    /**
     * The value of {@code sample} (name and labels as exposed, without the {@code model} label that
     * every series carries) in a Prometheus text exposition; 0 if absent.
     */
    static double metricIn(String exposition, String sample) {
        Matcher m = Pattern.compile("^" + Pattern.quote(sample) + " (\\S+)$", Pattern.MULTILINE).matcher(withoutModelLabel(exposition));
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** The exposition with the {@code model} label taken out of every sample ({@code name{}} becomes {@code name}). */
    static String withoutModelLabel(String exposition) {
        return exposition.replaceAll("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{(.*?)model=\"[^\"]*\",?", "$1{$2")
                .replaceAll("(?m),\\}", "}").replaceAll("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{\\} ", "$1 ");
    }

    /**
     * A stream opened on a raw socket, so that the test can drop the connection mid-stream:
     * {@link #awaitData()} reads until the first {@code data:} line, {@link #close()} hangs up.
     */
    final class RawStream implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;

        RawStream(String path, String body) throws IOException {
            socket = new Socket("127.0.0.1", server.port());
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Reads the response until its first data line; returns the status line. */
        String awaitData() throws IOException {
            String status = in.readLine();
            for (String line; (line = in.readLine()) != null; )
                if (line.startsWith("data: ")) return status;
            throw new IOException("stream ended before any data");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    RawStream rawStream(String path, String body) throws IOException {
        return new RawStream(path, body);
    }
}
