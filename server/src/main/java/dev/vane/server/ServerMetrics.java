package dev.vane.server;

import dev.vane.engine.schedule.GenerationService;
import dev.vane.engine.schedule.StepObserver;
import dev.vane.steering.plan.EffectTrace;
import dev.vane.engine.model.AttentionTime;
import dev.vane.engine.model.CausalLM;
import io.micrometer.core.instrument.Counter;
import java.util.List;
import java.util.Map;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import dev.vane.engine.generate.FinishReason;
import dev.vane.engine.generate.GenerationResult;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The server's metrics (design §6), in a Prometheus registry, every series tagged with the served
 * {@code model}. Names as exposed:
 * <ul>
 *   <li>requests: {@code vane_request_duration_seconds} (tags {@code transport}: http or grpc,
 *       {@code endpoint}: the route or the gRPC method, {@code status}: the HTTP status or the gRPC
 *       status code's name),
 *       {@code vane_requests_finished_total} (tag {@code finish_reason}: stop, length, cancelled,
 *       timeout, error), {@code vane_request_prompt_tokens} and {@code vane_request_generation_tokens}
 *       (length histograms per sequence);</li>
 *   <li>latency: {@code vane_time_to_first_token_seconds}, {@code vane_inter_token_latency_seconds},
 *       {@code vane_request_queue_seconds}, {@code vane_request_prefill_seconds} (admission to first
 *       token) and {@code vane_request_decode_seconds} (first token to finish);</li>
 *   <li>throughput and load: {@code vane_prompt_tokens_total}, {@code vane_generation_tokens_total},
 *       {@code vane_requests_running}, {@code vane_requests_waiting}, {@code vane_batch_size}
 *       (tag {@code phase} = prompt|generation), {@code vane_kv_cache_bytes} (bytes of the KV cache
 *       held by live sequences), {@code vane_kv_cache_capacity_bytes} (its size with every slot
 *       full), {@code vane_kv_cache_usage_ratio}, {@code vane_model_weight_bytes},
 *       {@code vane_attention_step_seconds} (count and sum: steps and their time in attention, tag
 *       {@code kernel});</li>
 *   <li>steering: {@code vane_interventions_applied_total}, {@code vane_intervention_seconds},
 *       {@code vane_gact_probe_choice_total}, {@code vane_layers_executed_total},
 *       {@code vane_layers_skipped_total}, {@code vane_layer_skip_ratio},
 *       {@code vane_admin_changes_total};</li>
 *   <li>the JVM and the process: Micrometer's binders ({@code jvm_memory_*}, {@code jvm_gc_*},
 *       {@code jvm_threads_*}, {@code jvm_classes_*}, {@code process_cpu_usage}, {@code system_cpu_*},
 *       {@code process_uptime_seconds}, ...).</li>
 * </ul>
 * Every histogram publishes one small fixed set of buckets ({@link #LATENCY}, {@link #INTER_TOKEN},
 * {@link #LENGTHS}, ...), so a series count stays in the tens; tags take values from fixed sets
 * only (route names, HTTP status codes, phases, finish reasons, profile and artifact names).
 *
 * <p>The recording methods are cheap and non-blocking; the token ones run on the engine thread.
 */
public final class ServerMetrics implements StepObserver, AutoCloseable {

    /** Bucket bounds of the latency histograms (time to first token, queue, prefill, decode), seconds. */
    static final double[] LATENCY = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
    /** Bucket bounds of the inter-token latency, seconds. */
    static final double[] INTER_TOKEN = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
    /** Bucket bounds of the HTTP request duration (streams included), seconds. */
    static final double[] REQUEST = {0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
    /** Bucket bounds of the length histograms, tokens. */
    static final double[] LENGTHS = {1, 4, 16, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768};
    /** Bucket bounds of the batch size, rows per step. */
    static final double[] BATCH = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
    /** Bucket bounds of the skip ratio and of other shares. */
    static final double[] COMPRESSION = {1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64};
    static final double[] KV_BYTES = {1 << 16, 1 << 18, 1 << 20, 1 << 22, 1 << 24, 1 << 26, 1 << 28, 1 << 30, 1L << 32};
    static final double[] RATIO = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1};
    /** Bucket bounds of the time an intervention took per sequence, seconds. */
    static final double[] INTERVENTION = {0.0001, 0.001, 0.01, 0.1, 1, 10};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Timer firstToken, interToken, queue, prefill, decode;
    private final Counter promptTokens, generationTokens;
    private final DistributionSummary promptBatch, generationBatch, promptLength, generationLength, sequenceKv, beaconCompression;

    /** @param model the served model's id, the {@code model} tag of every series */
    public ServerMetrics(String model) {
        registry.config().commonTags("model", model);
        firstToken = latency("vane.time.to.first.token", "time from request submission to its first token", LATENCY);
        interToken = latency("vane.inter.token.latency", "time between consecutive tokens of a sequence", INTER_TOKEN);
        queue = latency("vane.request.queue", "time a sequence waited for a KV cache slot", LATENCY);
        prefill = latency("vane.request.prefill", "time from a sequence's admission to its first token (prompt processing)", LATENCY);
        decode = latency("vane.request.decode", "time from a sequence's first token to its finish", LATENCY);
        promptTokens = Counter.builder("vane.prompt.tokens").description("prompt tokens processed").register(registry);
        generationTokens = Counter.builder("vane.generation.tokens").description("tokens generated").register(registry);
        promptBatch = batch("prompt");
        generationBatch = batch("generation");
        promptLength = summary("vane.request.prompt.tokens", "prompt length of a sequence", LENGTHS).baseUnit("tokens").register(registry);
        generationLength = summary("vane.request.generation.tokens", "tokens a sequence generated", LENGTHS).baseUnit("tokens").register(registry);
        sequenceKv = summary("vane.sequence.kv", "KV cache bytes a sequence held when it finished", KV_BYTES).baseUnit("bytes").register(registry);
        beaconCompression = summary("vane.beacon.compression.ratio", "tokens per KV entry of a beacon-compressed sequence when it finished",
                COMPRESSION).register(registry);
        for (FinishReason r : FinishReason.values()) finishCounter(r); // every reason shows from the start, at 0
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** Registers the scheduler gauges (running, waiting, KV cache bytes in use and capacity). */
    public void bind(GenerationService service) {
        Gauge.builder("vane.requests.running", service, s -> s.stats().running())
                .description("sequences in the running batch").register(registry);
        Gauge.builder("vane.requests.waiting", service, s -> s.stats().waiting())
                .description("sequences waiting for a KV cache slot").register(registry);
        Gauge.builder("vane.kv.cache", service, s -> s.stats().kvCacheUsedBytes()).baseUnit("bytes")
                .description("KV cache bytes held by live sequences").register(registry);
        Gauge.builder("vane.kv.cache.capacity", service, s -> s.stats().kvCacheBytes()).baseUnit("bytes")
                .description("KV cache bytes with every slot full (--slots x --context)").register(registry);
        Gauge.builder("vane.kv.cache.usage", service, s -> s.stats().kvCacheBytes() == 0 ? 0
                        : (double) s.stats().kvCacheUsedBytes() / s.stats().kvCacheBytes()).baseUnit("ratio")
                .description("share of the KV cache held by live sequences").register(registry);
    }

    /** Registers the model gauge: bytes of weights it holds in memory ({@code vane_model_weight_bytes}). */
    public void bindModel(CausalLM model) {
        Gauge.builder("vane.model.weight", model, CausalLM::weightBytes).baseUnit("bytes")
                .description("bytes of model weights held in memory, in the serving layout").register(registry);
        AttentionTime attention = model.attentionTime();
        for (String kernel : attention.kernels())
            FunctionTimer.builder("vane.attention.step", attention, a -> a.steps(kernel), a -> a.seconds(kernel), TimeUnit.SECONDS)
                    .tag("kernel", kernel)
                    .description("time each engine step spent in attention (all layers), by kernel").register(registry);
    }

    @Override
    public void onStep(int rows, int promptRows, int tokens, long nanos) {
        (promptRows > 0 ? promptBatch : generationBatch).record(rows);
    }

    /** One finished HTTP request of a served route ({@code endpoint} from a fixed set). */
    void request(String endpoint, int status, long nanos) {
        request("http", endpoint, String.valueOf(status), nanos);
    }

    /** One finished gRPC call ({@code method} from a fixed set, {@code code} a gRPC status code's name). */
    void grpcCall(String method, String code, long nanos) {
        request("grpc", method, code, nanos);
    }

    private void request(String transport, String endpoint, String status, long nanos) {
        Timer.builder("vane.request.duration").description("request duration, streams included")
                .tags("transport", transport, "endpoint", endpoint, "status", status).serviceLevelObjectives(durations(REQUEST))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A finished sequence: its finish reason, its prompt and generated lengths, and its prefill and
     * decode times.
     */
    void finished(GenerationResult r) {
        promptLength.record(r.promptTokens());
        generationLength.record(r.tokens().length);
        GenerationResult.Timings t = r.timings();
        if (t.firstTokenNanos() > 0) {
            prefill.record(Math.max(0, t.firstTokenNanos() - t.queueNanos()), TimeUnit.NANOSECONDS);
            decode.record(Math.max(0, t.totalNanos() - t.firstTokenNanos()), TimeUnit.NANOSECONDS);
        }
        finishCounter(r.finishReason()).increment(); // last: a reader that sees the count sees the rest
    }

    /**
     * A finished sequence's KV footprint: {@code vane_sequence_kv_bytes} (the entries it held at
     * the end × bytes per entry) and, for a beacon-compressed one, {@code vane_beacon_compression_ratio}
     * (tokens fed per entry held).
     */
    void sequenceKv(long tokens, long entries, long bytesPerEntry, boolean compressed) {
        sequenceKv.record((double) entries * bytesPerEntry);
        if (compressed && entries > 0) beaconCompression.record((double) tokens / entries);
    }

    /** {@code vane_requests_finished_total{finish_reason}}. */
    private Counter finishCounter(FinishReason reason) {
        return Counter.builder("vane.requests.finished").description("sequences finished, by finish reason")
                .tag("finish_reason", reason.wireName()).register(registry);
    }

    void firstToken(long nanos, int promptTokenCount) {
        firstToken.record(nanos, TimeUnit.NANOSECONDS);
        promptTokens.increment(promptTokenCount);
    }

    void interToken(long nanos) {
        interToken.record(nanos, TimeUnit.NANOSECONDS);
    }

    void generatedToken() {
        generationTokens.increment();
    }

    void queued(long nanos) {
        queue.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * What a finished sequence's plan did: {@code vane_interventions_applied_total{method,profile}}
     * for each intervention that changed at least one position, the time each spent
     * ({@code vane_intervention_seconds{method}}), and G-ACT's probe choices
     * ({@code vane_gact_probe_choice_total{artifact,layer,cluster}}). Runs on the engine thread.
     */
    void steering(List<EffectTrace> traces) {
        for (EffectTrace t : traces) {
            String method = t.method().jsonName();
            if (t.method() == dev.vane.steering.plan.Method.LAYER_SKIP) layerSkip(t);
            if (t.applied())
                Counter.builder("vane.interventions.applied").description("interventions applied, per sequence")
                        .tags("method", method, "profile", t.source()).register(registry).increment();
            Timer.builder("vane.intervention").description("time spent applying an intervention, per sequence")
                    .tag("method", method).serviceLevelObjectives(durations(INTERVENTION))
                    .register(registry).record(t.nanos(), TimeUnit.NANOSECONDS);
            for (Map.Entry<Integer, int[]> l : t.choices().entrySet())
                for (int c = 0; c < l.getValue().length; c++)
                    if (l.getValue()[c] > 0)
                        Counter.builder("vane.gact.probe.choice").description("G-ACT probe choices per layer and cluster")
                                .tags("artifact", t.artifact(), "layer", String.valueOf(l.getKey()), "cluster", String.valueOf(c))
                                .register(registry).increment(l.getValue()[c]);
        }
    }

    /**
     * Layer skipping of one sequence: {@code vane_layers_executed_total{phase}},
     * {@code vane_layers_skipped_total{phase}} and the sequence's skip ratio
     * ({@code vane_layer_skip_ratio}).
     */
    private void layerSkip(EffectTrace t) {
        long slots = 0, skipped = 0;
        for (var phase : dev.vane.engine.hooks.Phase.values()) {
            String p = phase.name().toLowerCase(java.util.Locale.ROOT);
            long e = t.layersExecuted(phase), s = t.layersSkipped(phase);
            Counter.builder("vane.layers.executed").description("decoder layer executions under layer skipping")
                    .tag("phase", p).register(registry).increment(e);
            Counter.builder("vane.layers.skipped").description("decoder layer executions skipped by layer skipping")
                    .tag("phase", p).register(registry).increment(s);
            slots += e + s;
            skipped += s;
        }
        if (slots > 0)
            summary("vane.layer.skip.ratio", "share of layer executions skipped, per sequence", RATIO)
                    .register(registry).record((double) skipped / slots);
    }

    /** One admin change ({@code vane_admin_changes_total{what}}). */
    void adminChange(String what) {
        Counter.builder("vane.admin.changes").description("changes made through the admin API")
                .tag("what", what).register(registry).increment();
    }

    /** The Prometheus text exposition (format 0.0.4). */
    String scrape() {
        return registry.scrape();
    }

    /** Stops the JVM binders that hold listeners (the GC notifications). */
    @Override
    public void close() {
        gc.close();
    }

    private Timer latency(String name, String description, double[] bucketSeconds) {
        return Timer.builder(name).description(description).serviceLevelObjectives(durations(bucketSeconds)).register(registry);
    }

    private static Duration[] durations(double[] seconds) {
        Duration[] out = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) out[i] = Duration.ofNanos(Math.round(seconds[i] * 1e9));
        return out;
    }

    private static DistributionSummary.Builder summary(String name, String description, double[] buckets) {
        return DistributionSummary.builder(name).description(description).serviceLevelObjectives(buckets);
    }

    private DistributionSummary batch(String phase) {
        return summary("vane.batch.size", "rows per forward step", BATCH).tag("phase", phase).register(registry);
    }
}
