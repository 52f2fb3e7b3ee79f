package dev.vane.server;

import dev.vane.engine.schedule.GenerationService;
import dev.vane.engine.schedule.StepObserver;
import dev.vane.steering.plan.EffectTrace;
import dev.vane.engine.model.CausalLM;
import io.micrometer.core.instrument.Counter;
import java.util.List;
import java.util.Map;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The server's metrics (design §6), in a Prometheus registry. Names as exposed:
 * {@code vane_request_duration_seconds} (tags {@code endpoint}, {@code status}),
 * {@code vane_time_to_first_token_seconds}, {@code vane_inter_token_latency_seconds},
 * {@code vane_request_queue_seconds}, {@code vane_prompt_tokens_total},
 * {@code vane_generation_tokens_total}, {@code vane_requests_running}, {@code vane_requests_waiting},
 * {@code vane_batch_size} (tag {@code phase} = prompt|generation), {@code vane_kv_cache_bytes}
 * (bytes of the KV cache held by live sequences) and {@code vane_kv_cache_capacity_bytes} (its
 * size with every slot full), {@code vane_model_weight_bytes} (the weights held in memory). Histograms publish buckets. Tags take values
 * from fixed sets only (route names, HTTP status codes, two phases).
 *
 * <p>The recording methods are cheap and non-blocking; the token ones run on the engine thread.
 */
public final class ServerMetrics implements StepObserver {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer firstToken = latency("vane.time.to.first.token", "time from request submission to its first token",
            Duration.ofMillis(1), Duration.ofMinutes(2));
    private final Timer interToken = latency("vane.inter.token.latency", "time between consecutive tokens of a sequence",
            Duration.ofNanos(100_000), Duration.ofSeconds(30));
    private final Timer queue = latency("vane.request.queue", "time a sequence waited for a KV cache slot",
            Duration.ofNanos(100_000), Duration.ofMinutes(5));
    private final Counter promptTokens = Counter.builder("vane.prompt.tokens")
            .description("prompt tokens processed").register(registry);
    private final Counter generationTokens = Counter.builder("vane.generation.tokens")
            .description("tokens generated").register(registry);
    private final DistributionSummary promptBatch = batch("prompt");
    private final DistributionSummary generationBatch = batch("generation");

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
    }

    /** Registers the model gauge: bytes of weights it holds in memory ({@code vane_model_weight_bytes}). */
    public void bindModel(CausalLM model) {
        Gauge.builder("vane.model.weight", model, CausalLM::weightBytes).baseUnit("bytes")
                .description("bytes of model weights held in memory, in the serving layout").register(registry);
    }

    @Override
    public void onStep(int rows, int promptRows, int tokens, long nanos) {
        (promptRows > 0 ? promptBatch : generationBatch).record(rows);
    }

    /** One finished HTTP request of a served route ({@code endpoint} from a fixed set). */
    void request(String endpoint, int status, long nanos) {
        Timer.builder("vane.request.duration").description("HTTP request duration, streams included")
                .tags("endpoint", endpoint, "status", String.valueOf(status))
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
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
                    .tag("method", method).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(10_000)).maximumExpectedValue(Duration.ofSeconds(30))
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
        long decided = 0, skipped = 0;
        for (var phase : dev.vane.engine.hooks.Phase.values()) {
            String p = phase.name().toLowerCase(java.util.Locale.ROOT);
            long d = t.layersDecided(phase), s = t.layersSkipped(phase);
            Counter.builder("vane.layers.executed").description("decoder layer executions under layer skipping")
                    .tag("phase", p).register(registry).increment(d - s);
            Counter.builder("vane.layers.skipped").description("decoder layer executions skipped by layer skipping")
                    .tag("phase", p).register(registry).increment(s);
            decided += d;
            skipped += s;
        }
        if (decided > 0)
            DistributionSummary.builder("vane.layer.skip.ratio").description("share of layer executions skipped, per sequence")
                    .register(registry).record((double) skipped / decided);
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

    private Timer latency(String name, String description, Duration min, Duration max) {
        return Timer.builder(name).description(description).publishPercentileHistogram()
                .minimumExpectedValue(min).maximumExpectedValue(max).register(registry);
    }

    private DistributionSummary batch(String phase) {
        return DistributionSummary.builder("vane.batch.size").description("rows per forward step")
                .tag("phase", phase).publishPercentileHistogram()
                .minimumExpectedValue(1.0).maximumExpectedValue(1024.0).register(registry);
    }
}
