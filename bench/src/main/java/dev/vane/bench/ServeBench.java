package dev.vane.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What serving a model costs before it does any work: a {@code vane serve} process is started
 * (the JVM flags of {@code ./vane}, {@code deploy/jvm.options}, no {@code -Xmx}), its {@code /health/ready} polled every 20 ms,
 * its resident memory ({@code VmRSS} of {@code /proc/PID/status}) read once ready and again after
 * traffic ({@code --streams} concurrent completions of {@code --prompt-len} tokens, greedy,
 * {@code --gen-len} tokens, {@code --rounds} times), and set against what it must hold: the
 * weights ({@code vane_model_weight_bytes}) and the KV cache with every slot full
 * ({@code vane_kv_cache_capacity_bytes}), both read from its {@code /metrics}. One JSON line per
 * start, with the matrices its load copied from the packed-weights cache and those it packed (0
 * and 0 on the tensor backend or with {@code --weights-cache off}), as its log says;
 * {@code --starts} starts one after another (the second and later find the checkpoint in the page
 * cache and, with {@code --weights-cache auto}, the packed weights the first start wrote;
 * {@code --cold} deletes them before the first). Linux only (it reads {@code /proc}).
 */
@Command(name = "vane bench ServeBench", sortOptions = false,
        description = "Start-to-ready time and resident memory of a served model, after load and after traffic, one JSON line per start.")
public final class ServeBench implements Callable<Integer> {

    @Mixin
    BenchModel m;
    @Option(names = "--slots", defaultValue = "4", paramLabel = "N", description = "KV cache slots of the server (${DEFAULT-VALUE})")
    int slots;
    @Option(names = "--context", defaultValue = "1024", paramLabel = "N", description = "context of each slot (${DEFAULT-VALUE})")
    int context;
    @Option(names = "--streams", defaultValue = "4", paramLabel = "N", description = "concurrent requests of the traffic (${DEFAULT-VALUE})")
    int streams;
    @Option(names = "--rounds", defaultValue = "2", paramLabel = "N", description = "rounds of traffic (${DEFAULT-VALUE})")
    int rounds;
    @Option(names = "--starts", defaultValue = "1", paramLabel = "N", description = "server starts measured (${DEFAULT-VALUE})")
    int starts;
    @Option(names = "--weights-cache", defaultValue = "auto", paramLabel = "auto|off",
            description = "the server's packed-weights cache (${DEFAULT-VALUE})")
    String weightsCache;
    @Option(names = "--cold", description = "delete the packed-weights cache before the first start")
    boolean cold;
    @Option(names = "--java-opts", defaultValue = "", paramLabel = "OPTS", description = "extra JVM flags of the server process")
    String javaOpts;

    public static void main(String[] args) {
        BenchCli.main(new ServeBench(), args);
    }

    @Override
    public Integer call() throws Exception {
        Path dir = m.dir();
        DecodeBench.withTokenizer(dir);
        if (m.promptLen + m.genLen > context)
            throw new IllegalArgumentException("--prompt-len + --gen-len exceed --context " + context);
        if (cold && Files.isDirectory(dir)) Files.deleteIfExists(dir.resolve(".vane").resolve("packed-f16.bin"));
        for (int s = 0; s < starts; s++) measure(dir, s);
        return 0;
    }

    private void measure(Path dir, int start) throws Exception {
        int port = freePort();
        Path options = Path.of("deploy", "jvm.options").toAbsolutePath(); // the flags ./vane starts the server with
        if (!Files.isRegularFile(options)) throw new IllegalStateException(options + " not found: run from the repository root");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "@" + options));
        if (!javaOpts.isBlank()) cmd.addAll(List.of(javaOpts.trim().split("\\s+")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.vane.cli.Cli", "serve",
                "--model", dir.toString(), "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--dtype", m.dtype.name().toLowerCase(Locale.ROOT), "--kv-dtype", m.kvDType, "--threads", String.valueOf(m.threads),
                "--slots", String.valueOf(slots), "--context", String.valueOf(context), "--weights-cache", weightsCache));
        Path log = Files.createTempFile("vane-serve-bench", ".log");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            URI base = URI.create("http://127.0.0.1:" + port);
            while (!ready(http, base)) {
                if (!p.isAlive())
                    throw new IllegalStateException("the server exited with " + p.exitValue() + ":\n" + Files.readString(log));
                if (System.nanoTime() - t0 > 600e9) throw new IllegalStateException("not ready after 600 s");
                Thread.sleep(20);
            }
            double startSeconds = (System.nanoTime() - t0) / 1e9;
            Matcher load = LOAD_LINE.matcher(Files.readString(log)); // what the Java decoder's load did
            boolean found = load.find();
            int fromCache = found ? Integer.parseInt(load.group(1)) : 0, packed = found ? Integer.parseInt(load.group(2)) : 0;
            long rssLoad = rssBytes(p.pid());
            for (int r = 0; r < rounds; r++) traffic(http, base);
            long rssTraffic = rssBytes(p.pid());
            String metrics = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            double weights = gauge(metrics, "vane_model_weight_bytes"), kv = gauge(metrics, "vane_kv_cache_capacity_bytes");
            System.out.printf(Locale.ROOT, "{\"bench\":\"serve\",\"model\":\"%s\",\"dtype\":\"%s\",\"kv_dtype\":\"%s\",\"threads\":%d,\"slots\":%d,\"context\":%d,"
                            + "\"start\":%d,\"matrices_from_cache\":%d,\"matrices_packed\":%d,\"start_to_ready_s\":%.2f,\"weights_mb\":%.1f,\"kv_capacity_mb\":%.1f,"
                            + "\"rss_after_load_mb\":%.1f,\"rss_after_traffic_mb\":%.1f,\"rss_load_ratio\":%.3f,\"rss_traffic_ratio\":%.3f}%n",
                    m.label(), m.dtype.name().toLowerCase(Locale.ROOT), m.kvDType, m.threads, slots, context, start, fromCache, packed, startSeconds,
                    weights / 1e6, kv / 1e6, rssLoad / 1e6, rssTraffic / 1e6, rssLoad / (weights + kv), rssTraffic / (weights + kv));
            if (packed > 0) awaitCacheSaved(log, p); // for the next start
        } finally {
            p.destroy();
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
            Files.deleteIfExists(log);
        }
    }

    /** The Java decoder's load line: matrices copied from the packed-weights cache, matrices packed. */
    private static final Pattern LOAD_LINE = Pattern.compile("\\((\\d+) matrices from .*, (\\d+) packed\\)");
    private static final Pattern SAVE_DONE = Pattern.compile("packed weights saved to|cannot save packed weights|another process is saving packed weights");

    /** Waits until the server's log says its packed-weights cache was saved (or could not be). */
    private static void awaitCacheSaved(Path log, Process p) throws Exception {
        for (long t0 = System.nanoTime(); p.isAlive() && System.nanoTime() - t0 < 600e9; Thread.sleep(100))
            if (SAVE_DONE.matcher(Files.readString(log)).find()) return;
    }

    /** {@code --streams} greedy completions of {@code --prompt-len} token ids at once; each must answer 200. */
    private void traffic(HttpClient http, URI base) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            StringBuilder ids = new StringBuilder();
            for (int t = 0; t < m.promptLen; t++) ids.append(t == 0 ? "" : ",").append(1000 + (i * 31 + t * 7) % 20000);
            String body = "{\"prompt\": [" + ids + "], \"max_tokens\": " + m.genLen + ", \"temperature\": 0, \"ignore_eos\": true}";
            all.add(http.sendAsync(HttpRequest.newBuilder(base.resolve("/v1/completions")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (var f : all) {
            HttpResponse<String> r = f.get();
            if (r.statusCode() != 200) throw new IllegalStateException("completion answered " + r.statusCode() + ": " + r.body());
        }
    }

    private static boolean ready(HttpClient http, URI base) {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve("/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static final Pattern RSS = Pattern.compile("^VmRSS:\\s+(\\d+) kB", Pattern.MULTILINE);

    static long rssBytes(long pid) throws IOException {
        Matcher mm = RSS.matcher(Files.readString(Path.of("/proc/" + pid + "/status")));
        if (!mm.find()) throw new IllegalStateException("no VmRSS in /proc/" + pid + "/status");
        return Long.parseLong(mm.group(1)) * 1024;
    }

    static double gauge(String metrics, String name) {
        // every series carries the server's common tags ({model="..."})
        Matcher mm = Pattern.compile("^" + name + "(?:\\{[^}]*})?\\s+(\\S+)$", Pattern.MULTILINE).matcher(metrics);
        if (!mm.find()) throw new IllegalStateException("/metrics has no " + name);
        return Double.parseDouble(mm.group(1));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
