package dev.vane.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.schedule.SchedulerStats;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /v1/models} (OpenAI list shape, with vLLM's {@code root} and {@code max_model_len}: the
 * context length a sequence may fill), {@code GET /health/live} (the process serves HTTP),
 * {@code GET /health/ready} (the model is loaded, the scheduler accepts work and the listeners
 * accept connections; 503 with the reason otherwise; with the queue's load) and {@code GET /metrics}
 * (Prometheus text exposition).
 */
public final class InfoService implements HttpService {

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final ServerContext ctx;
    private final Supplier<Optional<String>> notReady;
    private final long created = System.currentTimeMillis() / 1000;

    /** @param notReady why the server is not ready; empty when it is */
    InfoService(ServerContext ctx, Supplier<Optional<String>> notReady) {
        this.ctx = ctx;
        this.notReady = notReady;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/models", Responses.timed(ctx.metrics(), "models", this::models))
                .get("/health/live", (req, res) -> health(res, Optional.empty()))
                .get("/health/ready", this::ready)
                .get("/metrics", this::metrics);
    }

    private void models(ServerRequest req, ServerResponse res) {
        ObjectNode body = JsonBody.JSON.createObjectNode().put("object", "list");
        body.putArray("data").addObject().put("id", ctx.modelId()).put("object", "model").put("created", created)
                .put("owned_by", "vane").put("root", ctx.modelId()).put("max_model_len", ctx.engine().contextLength());
        Responses.json(res, body);
    }

    private static void health(ServerResponse res, Optional<String> problem) {
        res.status(problem.isEmpty() ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
        ObjectNode body = JsonBody.JSON.createObjectNode().put("status", problem.isEmpty() ? "UP" : "DOWN");
        problem.ifPresent(p -> body.put("reason", p));
        Responses.json(res, body);
    }

    /**
     * Readiness, with the scheduler's load. A full queue keeps the server ready (as vLLM does):
     * it is momentary back-pressure, answered per request with 429 and {@code Retry-After};
     * flipping readiness for it would have a load balancer move the whole load elsewhere and back
     * with every burst. {@code queue.full} says it, for a balancer that wants to weigh it.
     */
    private void ready(ServerRequest req, ServerResponse res) {
        Optional<String> problem = notReady.get();
        boolean up = problem.isEmpty();
        SchedulerStats stats = ctx.engine().stats();
        ObjectNode body = JsonBody.JSON.createObjectNode().put("status", up ? "UP" : "DOWN");
        problem.ifPresent(p -> body.put("reason", p));
        body.putObject("queue").put("running", stats.running()).put("waiting", stats.waiting())
                .put("full", stats.running() + stats.waiting() >= ctx.maxSequences());
        res.status(up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
        Responses.json(res, body);
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT).send(ctx.metrics().scrape());
    }
}
