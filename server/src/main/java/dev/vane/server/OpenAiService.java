package dev.vane.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.generate.GenerationResult;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * The OpenAI-compatible routes {@code POST /v1/completions} and {@code POST /v1/chat/completions}:
 * parse, submit every choice to the scheduler, then either wait for the results or stream
 * {@code data:} chunks as tokens arrive. A client that goes away, mid-stream or while waiting for
 * a JSON answer ({@link ConnectionWatch}), has its sequences cancelled, which frees their KV slots
 * within a step.
 */
public final class OpenAiService implements HttpService {

    /** How long a stream may stay silent before a keep-alive comment probes the connection. */
    private static final long KEEP_ALIVE_MILLIS = 2_000;

    private final ServerContext ctx;
    private final Logprobs logprobs;

    OpenAiService(ServerContext ctx) {
        this.ctx = ctx;
        this.logprobs = new Logprobs(new TokenTexts(ctx.engine().tokenizer()));
    }

    private interface Parser {
        OpenAiRequest parse(Fields fields, ServerContext ctx);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/completions", Responses.timed(ctx.metrics(), "completions",
                (req, res) -> serve(req, res, CompletionFormat::parse, (l, r) -> new CompletionFormat(l, r))));
        rules.post("/v1/chat/completions", Responses.timed(ctx.metrics(), "chat_completions",
                (req, res) -> serve(req, res, ChatFormat::parse, (l, r) -> new ChatFormat(l, r))));
    }

    private void serve(ServerRequest req, ServerResponse res, Parser parser,
                       BiFunction<Logprobs, OpenAiRequest, ChoiceFormat> formats) {
        long received = System.nanoTime();
        OpenAiRequest request = parser.parse(Fields.of(JsonBody.read(req, ctx.maxBodyBytes())), ctx);
        ChoiceFormat format = formats.apply(logprobs, request);
        ChoiceBatch batch = ChoiceBatch.submit(ctx, request.specs(), request.vane());
        Envelope envelope = new Envelope(format, ctx.modelId());
        if (request.stream()) stream(res, request, format, envelope, batch, received);
        else respond(req, res, request, format, envelope, batch, received);
    }

    /** id, created and model, the same on every chunk of one response. */
    private record Envelope(String id, long created, String model) {
        Envelope(ChoiceFormat format, String model) {
            this(format.idPrefix() + UUID.randomUUID().toString().replace("-", ""), System.currentTimeMillis() / 1000, model);
        }

        ObjectNode start(String object) {
            return JsonBody.JSON.createObjectNode().put("id", id).put("object", object).put("created", created)
                    .put("model", model);
        }
    }

    private void respond(ServerRequest req, ServerResponse res, OpenAiRequest request, ChoiceFormat format,
                         Envelope envelope, ChoiceBatch batch, long received) {
        Optional<List<GenerationResult>> done = batch.awaitWhileConnected(ctx.connections(),
                req.localPeer().address(), req.remotePeer().address());
        if (done.isEmpty()) {
            Responses.clientGone(res);
            return;
        }
        List<GenerationResult> results = done.get();
        ChoiceBatch.checkFinished(results);
        ObjectNode body = envelope.start(format.object());
        ArrayNode choices = body.putArray("choices");
        for (var c : request.best(results)) choices.add(format.choice(c.getKey(), c.getValue()));
        body.set("usage", usage(request, results));
        Trace.of(batch, results, received).ifPresent(v -> body.set("vane", v));
        Responses.json(res, body);
    }

    private void stream(ServerResponse res, OpenAiRequest request, ChoiceFormat format, Envelope envelope,
                        ChoiceBatch batch, long received) {
        try (SseStream sse = new SseStream(res)) {
            for (ChoiceBatch.Spec s : batch.specs()) {
                ObjectNode opening = format.opening(s.index());
                if (opening != null) sse.send(chunk(envelope, format, request, opening));
            }
            while (!batch.allFinished() && !sse.failed()) {
                ChoiceBatch.Event event = batch.poll(KEEP_ALIVE_MILLIS);
                switch (event) {
                    case null -> sse.keepAlive();
                    case ChoiceBatch.Token t -> {
                        ObjectNode delta = format.delta(t.index(), t.token().text(), t.token().logprobs());
                        if (delta != null) sse.send(chunk(envelope, format, request, delta));
                    }
                    case ChoiceBatch.Finish f -> {
                        ObjectNode delta = format.delta(f.index(), f.trailingText(), Optional.empty());
                        if (delta != null) sse.send(chunk(envelope, format, request, delta));
                        Optional<ApiError> failure = f.failure();
                        if (failure.isPresent()) sse.send(Responses.errorBody(failure.get()));
                        else sse.send(chunk(envelope, format, request, format.finish(f.index(), f.reason().wireName())));
                    }
                }
            }
            if (sse.failed()) {
                batch.cancel();
                return;
            }
            if (request.includeUsage() || Trace.wanted(batch)) {
                List<GenerationResult> results = batch.results();
                ObjectNode last = envelope.start(format.chunkObject());
                last.putArray("choices");
                if (request.includeUsage()) last.set("usage", usage(request, results));
                Trace.of(batch, results, received).ifPresent(v -> last.set("vane", v));
                sse.send(last);
            }
            if (!sse.done()) batch.cancel();
        } catch (InterruptedException e) {
            batch.cancel();
            Thread.currentThread().interrupt();
        }
    }

    private static ObjectNode chunk(Envelope envelope, ChoiceFormat format, OpenAiRequest request, ObjectNode choice) {
        ObjectNode c = envelope.start(format.chunkObject());
        c.putArray("choices").add(choice);
        if (request.includeUsage()) c.putNull("usage");
        return c;
    }

    /** Prompt tokens count once per prompt, completion tokens once per choice. */
    private static ObjectNode usage(OpenAiRequest request, List<GenerationResult> results) {
        long prompt = request.prompts().stream().mapToLong(p -> p.length).sum();
        long completion = results.stream().mapToLong(r -> r.tokens().length).sum();
        return JsonBody.JSON.createObjectNode().put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }
}
