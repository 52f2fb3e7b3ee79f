package dev.vane.server;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The server as an operator starts it: its own JVM on the runtime class path only, with the
 * launcher's JVM flags. Its stderr carries log records in the one-line format and nothing else:
 * no SLF4J provider warning, no JDK warning, no WARNING or SEVERE record, at start-up, under a
 * request or at shutdown. The access log is off unless asked for.
 */
class ServerStartupTest {

    /** The one line the JVM itself prints for {@code --add-modules jdk.incubator.vector}; no flag turns it off. */
    private static final String INCUBATOR = "WARNING: Using incubator modules: jdk.incubator.vector";
    /** A record at INFO in {@link LogLineFormatter}'s format. */
    private static final Pattern INFO_LINE = Pattern.compile("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO {4}\\S+: .*");
    private static final Pattern SERVING = Pattern.compile("vane: serving .* on http://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ADMIN = Pattern.compile("vane: admin API on http://127\\.0\\.0\\.1:(\\d+)");
    private static final String TOKEN = "startup-test-token-0123456789";

    /** What one run printed on stderr, line by line. */
    private record Run(List<String> stderr) {
        List<String> accessLog(String listener) {
            return stderr.stream().filter(l -> l.contains(" " + listener + "-access: ")).toList();
        }
    }

    /** Starts the server, sends one completion and one admin request, stops it (SIGTERM) and returns its stderr. */
    private static Run serve(Map<String, String> extraSettings) throws Exception {
        Path model = TestServer.modelDir("vane-startup-model", true);
        Path work = Files.createTempDirectory("vane-startup-cwd"); // no application.yaml or logging.properties here
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // the launcher's flags (./vane)
                "--add-modules", "jdk.incubator.vector", "-Dai.djl.offline=true", "--enable-native-access=ALL-UNNAMED",
                "-cp", Path.of("target", "classes").toAbsolutePath() + java.io.File.pathSeparator
                        + String.join(java.io.File.pathSeparator, RuntimeClasspathTest.runtimeClasspath().stream()
                        .map(p -> p.toAbsolutePath().toString()).toList()),
                Main.class.getName()));
        // the server without the command line reads its settings from VANE_* variables
        Map<String, String> settings = new java.util.HashMap<>(Map.of("VANE_MODEL", model.toString(), "VANE_PORT", "0",
                "VANE_ADMIN_PORT", "0", "VANE_ADMIN_TOKEN", TOKEN, "VANE_ARTIFACTS", work.resolve("artifacts").toString(),
                "VANE_DTYPE", "f32", "VANE_THREADS", "2", "VANE_SLOTS", "2", "VANE_CONTEXT", "256"));
        settings.putAll(extraSettings);
        Path stderr = work.resolve("stderr.txt");
        ProcessBuilder builder = new ProcessBuilder(cmd).directory(work.toFile()).redirectError(stderr.toFile());
        builder.environment().putAll(settings);
        Process p = builder.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            int port = -1, adminPort = -1;
            for (String line; (port < 0 || adminPort < 0) && (line = out.readLine()) != null; ) {
                Matcher m = SERVING.matcher(line), a = ADMIN.matcher(line);
                if (m.find()) port = Integer.parseInt(m.group(1));
                if (a.find()) adminPort = Integer.parseInt(a.group(1));
            }
            assertThat(port).as("the server announced its port; stderr: %s", Files.readString(stderr)).isPositive();
            HttpResponse<String> r = TestServer.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"Hello\", \"max_tokens\": 3, \"temperature\": 0}")).build());
            assertEquals(200, r.statusCode(), r.body());
            HttpResponse<String> s = TestServer.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/admin/status"))
                    .header("Authorization", "Bearer " + TOKEN).build());
            assertEquals(200, s.statusCode(), s.body());
            // the access log writes its line after the response has gone out: give both lines time to
            // arrive before the stop, which would otherwise race the second one
            if ("true".equals(extraSettings.get("VANE_ACCESS_LOG"))) {
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (System.nanoTime() < deadline) {
                    Run sofar = new Run(Files.readAllLines(stderr));
                    if (!sofar.accessLog("http").isEmpty() && !sofar.accessLog("admin").isEmpty()) break;
                    Thread.sleep(20);
                }
            }
        } finally {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        return new Run(Files.readAllLines(stderr));
    }

    @Test
    void stderrHoldsOnlyOneLineInfoRecordsAndNoAccessLogByDefault() throws Exception {
        Run run = serve(Map.of());
        for (String line : run.stderr())
            if (!line.equals(INCUBATOR)) assertThat(line).as("stderr:\n%s", String.join("\n", run.stderr())).matches(INFO_LINE);
        assertThat(run.accessLog("http")).isEmpty();
        assertThat(run.accessLog("admin")).isEmpty();
    }

    @Test
    void theAccessLogNamesEveryRequestWhenSwitchedOn() throws Exception {
        Run run = serve(Map.of("VANE_ACCESS_LOG", "true"));
        for (String line : run.stderr())
            if (!line.equals(INCUBATOR)) assertThat(line).as("stderr:\n%s", String.join("\n", run.stderr())).matches(INFO_LINE);
        String all = String.join("\n", run.stderr());
        assertThat(run.accessLog("http")).as("stderr:\n%s", all).singleElement().asString()
                .contains("\"POST /v1/completions HTTP/1.1\" 200");
        assertThat(run.accessLog("admin")).as("stderr:\n%s", all).singleElement().asString()
                .contains("\"GET /admin/status HTTP/1.1\" 200");
    }
}
