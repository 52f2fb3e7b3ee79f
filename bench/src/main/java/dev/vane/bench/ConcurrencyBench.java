package dev.vane.bench;

import dev.vane.engine.model.ComputeDType;
import dev.vane.server.Main;
import dev.vane.server.ServerSettings;
import dev.vane.server.VaneServer;
import dev.vane.server.grpc.v1.GenerateRequest;
import dev.vane.server.grpc.v1.GenerateStreamResponse;
import dev.vane.server.grpc.v1.GenerationGrpc;
import dev.vane.server.grpc.v1.TokenIds;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Aggregate generated tokens/s of the real server at several numbers of concurrent streaming
 * requests (OpenAI {@code /v1/completions}, greedy, fixed length), one JSON line per level.
 *
 * The load generator shares the machine's cores with the server, so it should cost as little as
 * it can: {@code socket} (the default) reads each stream on its own thread from a plain socket
 * (HTTP/1.1, chunked body decoded, every response checked: status 200, {@code gen-len} content
 * chunks, {@code data: [DONE]}); {@code jdk} uses {@code java.net.http.HttpClient}, whose selector
 * thread and executor hand every chunk across threads (at 8 streams about 0.1 ms of CPU and
 * wake-ups per token on a 2-core machine, taken from the server's decode steps); {@code grpc}
 * streams the same requests through {@code vane.v1.Generation/GenerateStream} on one grpc-java
 * channel (every stream checked: {@code gen-len} token messages and as many in the final usage).
 * Each level and client first runs unmeasured for {@code --warmup} seconds (JIT warm-up of that
 * batch size's tiles and that client's server path), then {@code --repeat} rounds run every level
 * and client in turn (several {@code --client}s alternate against one server, the fair way to
 * compare transports); the median aggregate rate per level and client is reported, with every
 * run's (on a shared host single runs of one level can differ by a third within minutes, and
 * interleaving the levels keeps a slow spell from landing on one of them only).
 * The {@code socket} and {@code grpc} clients also time each stream's first token (median over the
 * streams of the measured runs, {@code ttft_ms}), which splits a difference between clients into a
 * per-request and a per-token part.
 * A preset has no tokenizer, so the Llama 3 tokenizer of the test resources is copied in.
 */
@Command(name = "vane bench ConcurrencyBench", sortOptions = false, description =
        "Aggregate generated tokens/s of the real server at several numbers of concurrent streaming requests, one JSON line per level.")
public final class ConcurrencyBench implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BenchModel m;
    @Option(names = "--streams", defaultValue = "1,4,8,16", split = ",", paramLabel = "N,N,...",
            description = "concurrent streams of each level (${DEFAULT-VALUE})")
    List<Integer> levels;
    @Option(names = "--repeat", defaultValue = "5", paramLabel = "N", description = "measured rounds over the levels (${DEFAULT-VALUE})")
    int repeat;
    @Option(names = "--client", defaultValue = "socket", split = ",", paramLabel = "socket|jdk|grpc,...",
            description = "socket: a thread per stream on a plain socket; jdk: java.net.http; grpc: GenerateStream over"
                    + " grpc-java; several: their runs alternate against one server (${DEFAULT-VALUE})")
    List<String> clients;
    @Option(names = "--warmup", defaultValue = "20", paramLabel = "SECONDS",
            description = "unmeasured traffic per level and client before the measured rounds (${DEFAULT-VALUE})")
    double warmupSeconds;

    public static void main(String[] args) {
        BenchCli.main(new ConcurrencyBench(), args);
    }

    @Override
    public Integer call() throws Exception {
        int threads = m.threads;
        ComputeDType dtype = m.dtype;
        int promptLen = m.promptLen;
        int genLen = m.genLen;
        for (String c : clients)
            if (!List.of("socket", "jdk", "grpc").contains(c))
                throw new ParameterException(spec.commandLine(), "--client: expected socket, jdk or grpc, got '" + c + "'");
        if (!(warmupSeconds >= 0)) throw new ParameterException(spec.commandLine(), "--warmup: expected seconds >= 0, got " + warmupSeconds);
        int maxStreams = levels.stream().mapToInt(Integer::intValue).max().orElse(1);
        Path dir = m.dir();
        DecodeBench.withTokenizer(dir);
        ServerSettings s = ServerSettings.defaults(dir).withPort(0).withGrpcPort(0)
                .withEngine(dtype, threads, maxStreams, promptLen + genLen + 8);
        try (VaneServer server = Main.start(s)) {
            List<Load> loads = new ArrayList<>();
            try {
                for (String c : clients)
                    loads.add(switch (c) {
                        case "jdk" -> new JdkLoad(server.port());
                        case "grpc" -> new GrpcLoad(server.grpcPort().getAsInt());
                        default -> new SocketLoad(server.port());
                    });
                measure(loads, promptLen, genLen, dtype, threads, dir);
            } finally {
                for (Load l : loads) l.close();
            }
        }
        return 0;
    }

    private void measure(List<Load> loads, int promptLen, int genLen, ComputeDType dtype, int threads, Path dir) throws Exception {
        // every level and client first runs unmeasured for --warmup seconds: each batch size runs
        // its own kernel tiles and each client its own server path, which the JIT compiles on
        // first use (a single warm-up round left the measured 1-stream runs climbing from 54 to 80
        // tokens/s, and the gRPC path, with more code to compile, further behind)
        for (int n : levels)
            for (Load load : loads) {
                long until = System.nanoTime() + (long) (warmupSeconds * 1e9);
                do run(load, n, promptLen, genLen); while (System.nanoTime() < until);
            }
        // then rounds of every level and client in turn, so that a slow spell of the shared host
        // falls on all of them alike rather than on one
        int cells = levels.size() * loads.size();
        double[][] rates = new double[cells][repeat];
        List<List<Long>> firsts = new ArrayList<>();
        for (int j = 0; j < cells; j++) firsts.add(new ArrayList<>());
        for (int k = 0; k < repeat; k++)
            for (int j = 0; j < cells; j++) {
                int n = levels.get(j / loads.size());
                rates[j][k] = n * genLen / run(loads.get(j % loads.size()), n, promptLen, genLen, firsts.get(j));
            }
        for (int j = 0; j < cells; j++) {
            double[] r = Arrays.stream(rates[j]).sorted().toArray();
            System.out.printf(Locale.ROOT, "{\"bench\":\"concurrency\",\"model\":\"%s\",\"dtype\":\"%s\",\"threads\":%d,"
                            + "\"client\":\"%s\",\"streams\":%d,\"prompt_len\":%d,\"gen_len\":%d,\"warmup_s\":%s,\"repeats\":%d,"
                            + "\"aggregate_tok_s\":%.2f,\"aggregate_tok_s_runs\":%s%s}%n",
                    m.model == null ? m.preset : dir.toString(), dtype.name().toLowerCase(), threads, clients.get(j % loads.size()),
                    levels.get(j / loads.size()), promptLen, genLen, warmupSeconds, repeat, r[r.length / 2],
                    Arrays.toString(Arrays.stream(r).map(x -> Math.round(x * 10) / 10.0).toArray()),
                    firsts.get(j).isEmpty() ? "" : String.format(Locale.ROOT, ",\"ttft_ms\":%.2f", median(firsts.get(j)) / 1e6));
        }
    }

    private static double median(List<Long> xs) {
        long[] v = xs.stream().mapToLong(Long::longValue).sorted().toArray();
        return v[v.length / 2];
    }

    /** Runs n streams at once; returns wall seconds until the last one ends. */
    private static double run(Load load, int n, int promptLen, int genLen) throws Exception {
        return run(load, n, promptLen, genLen, new ArrayList<>());
    }

    /** As {@link #run(Load, int, int, int)}, adding each stream's nanoseconds to its first token (where the client times it) to {@code firsts}. */
    private static double run(Load load, int n, int promptLen, int genLen, List<Long> firsts) throws Exception {
        List<CompletableFuture<OptionalLong>> all = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            int[] prompt = new int[promptLen];
            for (int t = 0; t < promptLen; t++) prompt[t] = 1000 + (i * 31 + t * 7) % 20000;
            all.add(load.stream(prompt, genLen));
        }
        for (var f : all) f.get().ifPresent(firsts::add);
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * Sends one streaming greedy request of {@code genLen} tokens; the future fails unless the stream
     * was complete, and holds the nanoseconds from the request's start to its first token where the
     * client times it.
     */
    private interface Load extends AutoCloseable {
        CompletableFuture<OptionalLong> stream(int[] prompt, int genLen);

        @Override
        default void close() { }
    }

    /** The streamed completion request of the HTTP clients. */
    private static String body(int[] prompt, int genLen) {
        StringBuilder ids = new StringBuilder();
        for (int t = 0; t < prompt.length; t++) ids.append(t == 0 ? "" : ",").append(prompt[t]);
        return "{\"prompt\": [" + ids + "], \"max_tokens\": " + genLen
                + ", \"temperature\": 0, \"ignore_eos\": true, \"stream\": true, \"stream_options\": {\"include_usage\": true}}";
    }

    /** {@code vane.v1.Generation/GenerateStream} over one grpc-java channel (HTTP/2, a stream per request). */
    private static final class GrpcLoad implements Load {
        private final ManagedChannel channel;
        private final GenerationGrpc.GenerationStub stub;

        GrpcLoad(int port) {
            // callbacks on the transport thread: no hand-off per message, as lean as the socket client
            channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor().build();
            stub = GenerationGrpc.newStub(channel);
        }

        @Override
        public CompletableFuture<OptionalLong> stream(int[] prompt, int genLen) {
            CompletableFuture<OptionalLong> done = new CompletableFuture<>();
            long start = System.nanoTime();
            TokenIds.Builder ids = TokenIds.newBuilder();
            for (int t : prompt) ids.addIds(t);
            stub.generateStream(GenerateRequest.newBuilder().setTokenIds(ids).setMaxTokens(genLen).setTemperature(0)
                    .setIgnoreEos(true).build(), new StreamObserver<>() {
                int tokens;
                int reported = -1;
                long first;

                @Override public void onNext(GenerateStreamResponse m) {
                    if (m.hasToken() && tokens++ == 0) first = System.nanoTime() - start;
                    else if (m.hasFinal()) reported = m.getFinal().getUsage().getCompletionTokens();
                }

                @Override public void onError(Throwable t) { done.completeExceptionally(t); }

                @Override public void onCompleted() {
                    if (tokens == genLen && reported == genLen) done.complete(OptionalLong.of(first));
                    else done.completeExceptionally(new IllegalStateException("stream incomplete: " + tokens + " tokens, "
                            + reported + " reported, " + genLen + " asked"));
                }
            });
            return done;
        }

        @Override
        public void close() {
            channel.shutdownNow();
        }
    }

    /** {@code java.net.http.HttpClient}, the whole body as a string. */
    private record JdkLoad(HttpClient http, URI uri) implements Load {
        JdkLoad(int port) {
            this(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:" + port + "/v1/completions"));
        }

        @Override
        public CompletableFuture<OptionalLong> stream(int[] prompt, int genLen) {
            String body = body(prompt, genLen);
            return http.sendAsync(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
                    .thenApply(r -> {
                        check(r.statusCode(), r.body(), genLen);
                        return OptionalLong.empty(); // the whole body at once: no first-token time
                    });
        }
    }

    /** One platform thread per stream reading a plain socket: one wake-up per chunk. */
    private record SocketLoad(int port) implements Load {
        @Override
        public CompletableFuture<OptionalLong> stream(int[] prompt, int genLen) {
            String body = body(prompt, genLen);
            CompletableFuture<OptionalLong> done = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    done.complete(read(body, genLen));
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            });
            return done;
        }

        private OptionalLong read(String body, int genLen) throws IOException {
            long start = System.nanoTime(), first = -1;
            byte[] json = body.getBytes(StandardCharsets.UTF_8);
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setTcpNoDelay(true);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + json.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(json);
                out.flush();
                InputStream in = new BufferedInputStream(socket.getInputStream());
                String status = line(in);
                int code = Integer.parseInt(status.split(" ")[1]);
                boolean chunked = false;
                for (String h; !(h = line(in)).isEmpty(); )
                    if (h.toLowerCase(Locale.ROOT).startsWith("transfer-encoding:") && h.toLowerCase(Locale.ROOT).contains("chunked")) chunked = true;
                ByteArrayOutputStream text = new ByteArrayOutputStream();
                if (chunked) {
                    for (int size; (size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) > 0; ) {
                        text.write(in.readNBytes(size));
                        // the first chunk with generated text holds the first token
                        if (first < 0 && text.toString(StandardCharsets.UTF_8).contains("\"text\"")) first = System.nanoTime() - start;
                        line(in); // the CRLF after the chunk
                    }
                } else {
                    in.transferTo(text);
                }
                check(code, text.toString(StandardCharsets.UTF_8), genLen);
            }
            return first < 0 ? OptionalLong.empty() : OptionalLong.of(first);
        }

        /** One CRLF- (or LF-) terminated line, without the terminator. */
        private static String line(InputStream in) throws IOException {
            StringBuilder b = new StringBuilder();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) throw new IOException("connection closed mid-line: " + b);
                if (c != '\r') b.append((char) c);
            }
            return b.toString();
        }
    }

    /** A complete stream: 200, {@code gen-len} completion tokens in the usage chunk, then {@code [DONE]}. */
    private static void check(int status, String body, int genLen) {
        if (status != 200 || !body.contains("data: [DONE]") || !body.contains("\"completion_tokens\":" + genLen + ","))
            throw new IllegalStateException("request failed or incomplete: " + status + " " + body);
    }
}
