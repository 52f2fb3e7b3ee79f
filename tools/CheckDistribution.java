import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Checks the runnable distribution that {@code mvn package} writes (cli/target/vane-VERSION): from
 * an empty working directory, without Maven or sources, {@code bin/vane serve} on the bundled
 * model becomes ready, answers a chat completion and /metrics, and stops on SIGTERM. Prints the
 * time from launch to ready. A runtime older than Java 22 is refused with a message naming it. Run by the cli module's verify phase:
 *   java tools/CheckDistribution.java cli/target/vane-VERSION
 */
public final class CheckDistribution {

    public static void main(String[] args) throws Exception {
        Path dist = Path.of(args[0]).toAbsolutePath();
        Path launcher = dist.resolve("bin").resolve("vane");
        if (!Files.isExecutable(launcher)) fail("no executable launcher at " + launcher);
        for (String part : new String[] {"conf/jvm.options", "models/demo/config.json", "models/demo/steering/profiles.json"})
            if (!Files.exists(dist.resolve(part))) fail("the distribution has no " + part);
        Path work = Files.createTempDirectory("vane-dist-check");
        refusesAnOldRuntime(launcher, work);
        int port;
        try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); }
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "serve", "--port", String.valueOf(port))
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("serve.log").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().keySet().removeIf(k -> k.startsWith("VANE_"));
        long start = System.nanoTime();
        Process p = pb.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String base = "http://127.0.0.1:" + port;
        try {
            long deadline = start + TimeUnit.SECONDS.toNanos(120);
            while (status(http, base + "/health/ready") != 200) {
                if (!p.isAlive()) fail("bin/vane serve exited with " + p.exitValue() + ":\n" + Files.readString(work.resolve("serve.log")));
                if (System.nanoTime() > deadline) fail("not ready within 120 s:\n" + Files.readString(work.resolve("serve.log")));
                Thread.sleep(50);
            }
            double ready = (System.nanoTime() - start) / 1e9;
            HttpResponse<String> chat = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi!\"}], \"max_tokens\": 8}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (chat.statusCode() != 200 || !chat.body().contains("\"chat.completion\""))
                fail("chat completion answered " + chat.statusCode() + ": " + chat.body());
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (!metrics.body().contains("vane_generation_tokens_total{model=\"demo\"}")) fail("/metrics lacks vane_generation_tokens_total{model=\"demo\"}");
            p.destroy(); // SIGTERM
            if (!p.waitFor(30, TimeUnit.SECONDS)) fail("still running 30 s after SIGTERM");
            System.out.printf("distribution %s: ready in %.2f s, chat completion and /metrics answered, stopped on SIGTERM%n",
                    dist.getFileName(), ready);
        } finally {
            p.destroyForcibly();
        }
    }

    /** A JAVA_HOME whose release file says Java 17: the launcher must refuse it before starting it. */
    private static void refusesAnOldRuntime(Path launcher, Path work) throws Exception {
        Path old = Files.createDirectories(work.resolve("old-jdk/bin"));
        Files.writeString(old.getParent().resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
        Path java = Files.writeString(old.resolve("java"), "#!/bin/sh\necho started-the-old-runtime\nexit 3\n");
        java.toFile().setExecutable(true);
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "serve").directory(work.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", old.getParent().toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS)) fail("the launcher did not return with an old JAVA_HOME");
        if (p.exitValue() != 1 || !out.contains("is Java 17.0.15; Vane needs Java 22 or newer") || out.contains("started-the-old-runtime"))
            fail("with a Java 17 JAVA_HOME the launcher exited " + p.exitValue() + " saying: " + out);
    }

    private static int status(HttpClient http, String url) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        }
    }

    private static void fail(String message) {
        System.err.println("CheckDistribution: " + message);
        System.exit(1);
    }
}
