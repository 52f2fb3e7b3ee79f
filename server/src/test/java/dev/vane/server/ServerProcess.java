package dev.vane.server;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server in a JVM of its own on the runtime class path, configured by {@code VANE_*}
 * variables, under an open-file limit ({@code ulimit -n}) of the test's choosing: for tests of
 * what happens when the process runs out of file descriptors.
 */
final class ServerProcess implements AutoCloseable {

    private static final Pattern SERVING = Pattern.compile("vane: serving .* on http://127\\.0\\.0\\.1:(\\d+)");

    final int port;
    final Path stderr;
    private final Process process;

    private ServerProcess(Process process, int port, Path stderr) {
        this.process = process;
        this.port = port;
        this.stderr = stderr;
    }

    /** Starts the server on a tiny model with {@code openFiles} as its open-file limit; returns once it listens. */
    static ServerProcess start(int openFiles, Map<String, String> settings) throws IOException {
        Path model = TestServer.modelDir("vane-process-model", true);
        Path work = Files.createTempDirectory("vane-process-cwd");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = Path.of("target", "classes").toAbsolutePath() + File.pathSeparator
                + String.join(File.pathSeparator, RuntimeClasspathTest.runtimeClasspath().stream()
                .map(p -> p.toAbsolutePath().toString()).toList());
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "ulimit -n " + openFiles + " && exec \"$0\" \"$@\"", java,
                "--add-modules", "jdk.incubator.vector", "-Dai.djl.offline=true", "--enable-native-access=ALL-UNNAMED",
                "-cp", classpath, Main.class.getName()));
        Map<String, String> env = new HashMap<>(Map.of("VANE_MODEL", model.toString(), "VANE_PORT", "0", "VANE_DTYPE", "f32",
                "VANE_THREADS", "1", "VANE_SLOTS", "2", "VANE_CONTEXT", "256", "VANE_ARTIFACTS", work.resolve("artifacts").toString()));
        env.putAll(settings);
        Path stderr = work.resolve("stderr.txt");
        ProcessBuilder builder = new ProcessBuilder(cmd).directory(work.toFile()).redirectError(stderr.toFile());
        builder.environment().putAll(env);
        Process p = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            Matcher m = SERVING.matcher(line);
            if (m.find()) return new ServerProcess(p, Integer.parseInt(m.group(1)), stderr);
        }
        p.destroyForcibly();
        throw new IOException("the server did not start; stderr:\n" + Files.readString(stderr));
    }

    String log() throws IOException {
        return Files.readString(stderr);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
