package dev.vane.bench;

import dev.vane.engine.model.ComputeDType;
import dev.vane.server.Main;
import dev.vane.server.ServerSettings;
import dev.vane.server.VaneServer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Aggregate generated tokens/s of the real server at several numbers of concurrent streaming
 * requests (OpenAI {@code /v1/completions}, greedy, fixed length), one JSON line per level.
 *
 * <pre>
 * ConcurrencyBench (--model DIR | --preset NAME) [--dtype f16] [--threads 2] [--streams 1,4,8,16]
 *                  [--prompt-len 32] [--gen-len 64] [--repeat 5]
 * </pre>
 * Each level runs once unmeasured (JIT warm-up of that batch size's tiles), then {@code --repeat}
 * rounds run every level in turn; the median aggregate rate per level is reported, with every
 * run's (the host is shared: single runs of one stream ranged 33 – 53 tokens/s within minutes,
 * and interleaving the levels keeps a slow spell from landing on one of them only).
 * A preset has no tokenizer, so the Llama 3 tokenizer of the test resources is copied in.
 */
public final class ConcurrencyBench {

    private ConcurrencyBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = DecodeBench.parse(args);
        int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
        ComputeDType dtype = ComputeDType.parse(a.getOrDefault("dtype", "f16"));
        int promptLen = Integer.parseInt(a.getOrDefault("prompt-len", "32"));
        int genLen = Integer.parseInt(a.getOrDefault("gen-len", "64"));
        int repeat = Integer.parseInt(a.getOrDefault("repeat", "5"));
        List<Integer> levels = new ArrayList<>();
        for (String s : a.getOrDefault("streams", "1,4,8,16").split(",")) levels.add(Integer.parseInt(s.trim()));
        int maxStreams = levels.stream().mapToInt(Integer::intValue).max().orElse(1);
        Path dir = a.containsKey("model") ? Path.of(a.get("model")) : DecodeBench.presetDir(a.getOrDefault("preset", "smollm2-135m"));
        DecodeBench.withTokenizer(dir);
        ServerSettings s = ServerSettings.defaults(dir).withPort(0)
                .withEngine(dtype, threads, maxStreams, promptLen + genLen + 8);
        try (VaneServer server = Main.start(s)) {
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/v1/completions");
            // each level once unmeasured first: every batch size runs its own kernel tiles, which
            // the JIT compiles on first use (a cold 8-stream run spent its first steps in the
            // interpreter)
            for (int n : levels) run(http, uri, n, promptLen, genLen);
            // then rounds of every level in turn, so that a slow spell of the shared host falls on
            // all levels alike rather than on one
            double[][] rates = new double[levels.size()][repeat];
            for (int k = 0; k < repeat; k++)
                for (int j = 0; j < levels.size(); j++) {
                    int n = levels.get(j);
                    rates[j][k] = n * genLen / run(http, uri, n, promptLen, genLen);
                }
            for (int j = 0; j < levels.size(); j++) {
                double[] r = Arrays.stream(rates[j]).sorted().toArray();
                System.out.printf(Locale.ROOT, "{\"bench\":\"concurrency\",\"model\":\"%s\",\"dtype\":\"%s\",\"threads\":%d,"
                                + "\"streams\":%d,\"prompt_len\":%d,\"gen_len\":%d,\"repeats\":%d,\"aggregate_tok_s\":%.2f,"
                                + "\"aggregate_tok_s_runs\":%s}%n",
                        a.getOrDefault("preset", dir.toString()), dtype.name().toLowerCase(), threads, levels.get(j), promptLen, genLen,
                        repeat, r[r.length / 2], Arrays.toString(Arrays.stream(r).map(x -> Math.round(x * 10) / 10.0).toArray()));
            }
        }
    }

    /** Runs n streams at once; returns wall seconds until the last one ends. */
    private static double run(HttpClient http, URI uri, int n, int promptLen, int genLen) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            StringBuilder ids = new StringBuilder();
            for (int t = 0; t < promptLen; t++) ids.append(t == 0 ? "" : ",").append(1000 + (i * 31 + t * 7) % 20000);
            String body = "{\"prompt\": [" + ids + "], \"max_tokens\": " + genLen
                    + ", \"temperature\": 0, \"ignore_eos\": true, \"stream\": true}";
            all.add(http.sendAsync(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (var f : all) {
            HttpResponse<String> r = f.get();
            if (r.statusCode() != 200 || !r.body().contains("[DONE]"))
                throw new IllegalStateException("request failed: " + r.statusCode() + " " + r.body());
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
