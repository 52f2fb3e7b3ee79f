package dev.vane.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.TokenLogprob;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.List;
import java.util.Optional;

/**
 * The native route {@code POST /v1/generate}: one prompt (string or token ids), the full sampling
 * surface, and a response with text, token ids, logprobs and timings; as a JSON body or as an SSE
 * stream of {@code {token, text[, logprob]}} events, a final {@code {text, finish_reason}} event
 * and {@code [DONE]}.
 */
public final class GenerateService implements HttpService {

    private static final long KEEP_ALIVE_MILLIS = 2_000;

    private final ServerContext ctx;

    GenerateService(ServerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/generate", Responses.timed(ctx.metrics(), "generate", this::generate));
    }

    private void generate(ServerRequest req, ServerResponse res) {
        long received = System.nanoTime();
        NativeRequest request = NativeRequest.read(Fields.of(JsonBody.read(req, ctx.maxBodyBytes())), ctx);
        ChoiceBatch batch = ChoiceBatch.submit(ctx, List.of(new ChoiceBatch.Spec(0, 0, request.prompt(), request.params(), request.grammar())),
                request.vane());
        if (request.stream()) stream(res, batch);
        else {
            Optional<List<GenerationResult>> done = batch.awaitWhileConnected(ctx.connections(),
                    req.localPeer().address(), req.remotePeer().address());
            if (done.isEmpty()) {
                Responses.clientGone(res);
                return;
            }
            ChoiceBatch.checkFinished(done.get());
            GenerationResult r = done.get().get(0);
            ObjectNode body = resultJson(r);
            Trace.of(batch, List.of(r), received).ifPresent(v -> body.set("vane", v));
            Responses.json(res, body);
        }
    }

    private void stream(ServerResponse res, ChoiceBatch batch) {
        try (SseStream sse = new SseStream(res)) {
            while (!batch.allFinished() && !sse.failed()) {
                switch (batch.poll(KEEP_ALIVE_MILLIS)) {
                    case null -> sse.keepAlive();
                    case ChoiceBatch.Token t -> {
                        ObjectNode e = JsonBody.JSON.createObjectNode().put("token", t.token().token())
                                .put("text", t.token().text());
                        t.token().logprobs().ifPresent(lp -> e.put("logprob", lp.chosen().logprob()));
                        sse.send(e);
                    }
                    case ChoiceBatch.Finish fin -> {
                        Optional<ApiError> failure = fin.failure();
                        if (failure.isPresent()) sse.send(Responses.errorBody(failure.get()));
                        else sse.send(JsonBody.JSON.createObjectNode()
                                .put("text", fin.trailingText()).put("finish_reason", fin.reason().wireName()));
                    }
                }
            }
            if (sse.failed() || !sse.done()) batch.cancel();
        } catch (InterruptedException e) {
            batch.cancel();
            Thread.currentThread().interrupt();
        }
    }

    private ObjectNode resultJson(GenerationResult r) {
        ObjectNode o = JsonBody.JSON.createObjectNode();
        o.put("model", ctx.modelId());
        o.put("text", r.text());
        ArrayNode ids = o.putArray("token_ids");
        for (int t : r.tokens()) ids.add(t);
        o.put("finish_reason", r.finishReason().wireName());
        if (!r.logprobs().isEmpty()) {
            ArrayNode lps = o.putArray("logprobs");
            r.logprobs().forEach(lp -> {
                ObjectNode e = lps.addObject().put("token", lp.chosen().token()).put("logprob", lp.chosen().logprob());
                ArrayNode top = e.putArray("top");
                for (TokenLogprob t : lp.top()) top.addObject().put("token", t.token()).put("logprob", t.logprob());
            });
        }
        o.putObject("usage").put("prompt_tokens", r.promptTokens()).put("completion_tokens", r.tokens().length)
                .put("total_tokens", r.promptTokens() + r.tokens().length);
        o.putObject("timings")
                .put("queue_ms", r.timings().queueNanos() / 1e6)
                .put("time_to_first_token_ms", r.timings().firstTokenNanos() / 1e6)
                .put("total_ms", r.timings().totalNanos() / 1e6);
        return o;
    }
}
