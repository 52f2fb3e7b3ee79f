package dev.vane.cli;

import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.ImageFromDockerfile;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The container image, built by Testcontainers from {@code deploy/Dockerfile} and the distribution
 * that {@code mvn package} wrote (a Failsafe test: it runs after packaging). It needs a Docker
 * daemon. Base images come from the environment variables {@code VANE_TEST_JDK_IMAGE} and
 * {@code VANE_TEST_BASE_IMAGE} (the Dockerfile's public defaults otherwise); {@code .ci/run} starts
 * a daemon and builds local ones ({@code tools/docker-local-bases.sh}), since no registry is
 * reachable there. The container runs on the host's network: {@code /health/ready},
 * a chat completion, {@code /metrics}, then {@code docker stop} (SIGTERM) while eight streams run:
 * they finish, and the container exits.
 */
class ContainerImageIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void theImageServesTheBundledModelAndStopsGracefully() throws Exception {
        Path dist = Path.of(System.getProperty("vane.dist")).toAbsolutePath();
        Path dockerfile = Path.of("..", "deploy", "Dockerfile").toAbsolutePath().normalize();
        assertThat(dist.resolve("bin").resolve("vane")).isExecutable();
        assertThat(DockerClientFactory.instance().isDockerAvailable())
                .as("a Docker daemon (.ci/run starts one: dockerd --bridge=none --iptables=false)").isTrue();
        String jdkImage = env("VANE_TEST_JDK_IMAGE", "eclipse-temurin:21-jdk");
        String baseImage = env("VANE_TEST_BASE_IMAGE", "debian:bookworm-slim");
        ImageFromDockerfile image = new ImageFromDockerfile("vane-it", true)
                .withFileFromPath("deploy/Dockerfile", dockerfile)
                .withFileFromPath("dist", dist)
                .withDockerfilePath("deploy/Dockerfile")
                .withBuildArg("DIST", "dist")
                .withBuildArg("JDK_IMAGE", jdkImage)
                .withBuildArg("BASE_IMAGE", baseImage);
        try {
            image.get(); // built here, so that a failed build says why rather than "Can't get Docker image"
        } catch (RuntimeException e) {
            throw new AssertionError("docker build of deploy/Dockerfile with JDK_IMAGE " + jdkImage + " and BASE_IMAGE "
                    + baseImage + " failed: " + causes(e), e);
        }
        int port = freePort();
        try (GenericContainer<?> vane = new GenericContainer<>(image).withNetworkMode("host")
                .withEnv("VANE_PORT", String.valueOf(port)).withEnv("VANE_HOST", "127.0.0.1").withEnv("VANE_DRAIN_TIMEOUT", "60")) {
            vane.start();
            String base = "http://127.0.0.1:" + port;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (status(base + "/health/ready") != 200) {
                assertThat(vane.isRunning()).as("container running; logs:\n%s", vane.getLogs()).isTrue();
                assertThat(System.nanoTime()).as("ready within 120 s; logs:\n%s", vane.getLogs()).isLessThan(deadline);
                Thread.sleep(100);
            }
            assertThat(vane.getContainerInfo().getConfig().getUser()).isEqualTo("10001:10001");
            HttpResponse<String> chat = post(base + "/v1/chat/completions",
                    "{\"messages\": [{\"role\": \"user\", \"content\": \"What is the capital of France?\"}], \"max_tokens\": 12}");
            assertThat(chat.statusCode()).isEqualTo(200);
            assertThat(chat.body()).contains("\"chat.completion\"");
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("vane_generation_tokens_total{model=\"demo\"}");

            // streams in flight when the container is stopped run to their end
            int streams = 8;
            CountDownLatch firstData = new CountDownLatch(streams);
            List<CompletableFuture<Stream>> running = new ArrayList<>();
            var clients = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
            for (int i = 0; i < streams; i++) running.add(CompletableFuture.supplyAsync(() -> readStream(base, firstData), clients));
            assertThat(firstData.await(60, TimeUnit.SECONDS)).isTrue();
            String id = vane.getContainerId();
            long stopAt = System.nanoTime();
            DockerClientFactory.instance().client().stopContainerCmd(id).withTimeout(90).exec(); // SIGTERM, then waits
            long lastDone = 0;
            for (CompletableFuture<Stream> f : running) {
                Stream st = f.get(120, TimeUnit.SECONDS);
                List<String> lines = st.lines();
                lastDone = Math.max(lastDone, st.doneAt());
                assertThat(lines).last().isEqualTo("data: [DONE]");
                assertThat(String.join("\n", lines)).contains("\"finish_reason\":\"length\"");
            }
            assertThat(DockerClientFactory.instance().client().inspectContainerCmd(id).exec().getState().getRunning()).isFalse();
            assertThat(lastDone).as("a stream was still running when the stop began").isGreaterThan(stopAt);
        }
    }

    private static String env(String name, String otherwise) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? otherwise : v;
    }

    /** The messages of an exception and its causes, outermost first. */
    private static String causes(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause()) out.append(out.isEmpty() ? "" : " <- ").append(c);
        return out.toString();
    }

    /** A stream's lines and when its last one arrived. */
    private record Stream(List<String> lines, long doneAt) {}

    private static Stream readStream(String base, CountDownLatch firstData) {
        try {
            HttpResponse<java.io.InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"Once upon a time\", \"max_tokens\": 200, "
                            + "\"temperature\": 0, \"ignore_eos\": true, \"stream\": true}")).build(), HttpResponse.BodyHandlers.ofInputStream());
            List<String> lines = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.isEmpty()) continue;
                    lines.add(line);
                    if (line.startsWith("data: ")) firstData.countDown();
                }
            }
            return new Stream(lines, System.nanoTime());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int status(String url) throws InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
