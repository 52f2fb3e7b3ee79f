package dev.vane.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.generate.FinishReason;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.InvalidSamplingParamsException;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.TokenEvent;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.generate.TokenLogprob;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The native generation route {@code POST /v1/generate} (JSON or SSE stream), plus
 * {@code GET /v1/models} and health. The OpenAI-compatible routes and continuous batching come
 * with the server issue; this service runs one request at a time on the generator.
 */
public final class GenerateService implements HttpService {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("prompt", "max_tokens", "temperature", "top_p", "top_k", "min_p",
            "repetition_penalty", "presence_penalty", "frequency_penalty", "seed", "stop", "stop_token_ids",
            "ignore_eos", "logprobs", "stream", "add_special_tokens");

    private final Generator generator;
    private final String modelId;

    public GenerateService(Generator generator, String modelId) {
        this.generator = generator;
        this.modelId = modelId;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/generate", this::generate)
                .get("/v1/models", this::models)
                .get("/health/live", (req, res) -> res.send("{\"status\":\"UP\"}"))
                .get("/health/ready", (req, res) -> res.send("{\"status\":\"UP\"}"));
    }

    private void models(ServerRequest req, ServerResponse res) {
        ObjectNode body = JSON.createObjectNode().put("object", "list");
        body.putArray("data").addObject().put("id", modelId).put("object", "model").put("owned_by", "vane");
        res.header(HeaderNames.CONTENT_TYPE, "application/json").send(body.toString());
    }

    private void generate(ServerRequest req, ServerResponse res) {
        try {
            JsonNode body = parse(req);
            int[] prompt = prompt(body);
            SamplingParams params = params(body);
            boolean stream = body.path("stream").asBoolean(false);
            if (stream) stream(prompt, params, res);
            else {
                GenerationResult r = generator.generate(prompt, params, TokenListener.NONE);
                res.header(HeaderNames.CONTENT_TYPE, "application/json").send(resultJson(r).toString());
            }
        } catch (ApiError e) {
            sendError(res, e);
        } catch (InvalidSamplingParamsException e) {
            sendError(res, ApiError.invalid(e.field(), e.getMessage()));
        }
    }

    private JsonNode parse(ServerRequest req) {
        String type = req.headers().contentType().map(t -> t.mediaType().text()).orElse("");
        if (!type.equals("application/json"))
            throw new ApiError(415, "invalid_request_error", null, "Content-Type must be application/json");
        JsonNode body;
        try {
            body = JSON.readTree(req.content().as(String.class));
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "invalid_request_error", null, "malformed JSON: " + e.getOriginalMessage());
        }
        if (body == null || !body.isObject()) throw new ApiError(400, "invalid_request_error", null, "body must be a JSON object");
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) throw ApiError.invalid(f, "unknown field '" + f + "'");
        }
        return body;
    }

    private int[] prompt(JsonNode body) {
        JsonNode p = body.get("prompt");
        if (p == null) throw ApiError.invalid("prompt", "prompt is required");
        int[] ids;
        if (p.isTextual()) ids = generator.tokenizer().encode(p.asText(), body.path("add_special_tokens").asBoolean(true));
        else if (p.isArray()) {
            ids = new int[p.size()];
            for (int i = 0; i < ids.length; i++) {
                JsonNode t = p.get(i);
                if (!t.canConvertToInt() || t.asInt() < 0 || t.asInt() >= generator.model().config().vocabSize())
                    throw ApiError.invalid("prompt", "prompt[" + i + "] is not a token id of this model");
                ids[i] = t.asInt();
            }
        } else throw ApiError.invalid("prompt", "prompt must be a string or an array of token ids");
        if (ids.length == 0) throw ApiError.invalid("prompt", "prompt must not be empty");
        if (ids.length >= generator.contextLength())
            throw new ApiError(413, "invalid_request_error", "prompt", "prompt has " + ids.length
                    + " tokens; the context is " + generator.contextLength());
        return ids;
    }

    private SamplingParams params(JsonNode b) {
        SamplingParams.Builder p = SamplingParams.builder();
        if (b.has("max_tokens")) p.maxTokens(intField(b, "max_tokens"));
        if (b.has("temperature")) p.temperature(number(b, "temperature"));
        if (b.has("top_p")) p.topP(number(b, "top_p"));
        if (b.has("top_k")) p.topK(intField(b, "top_k"));
        if (b.has("min_p")) p.minP(number(b, "min_p"));
        if (b.has("repetition_penalty")) p.repetitionPenalty(number(b, "repetition_penalty"));
        if (b.has("presence_penalty")) p.presencePenalty(number(b, "presence_penalty"));
        if (b.has("frequency_penalty")) p.frequencyPenalty(number(b, "frequency_penalty"));
        if (b.has("seed")) {
            if (!b.get("seed").canConvertToLong()) throw ApiError.invalid("seed", "seed must be an integer");
            p.seed(b.get("seed").asLong());
        }
        if (b.has("stop")) {
            JsonNode s = b.get("stop");
            List<String> stops = new ArrayList<>();
            if (s.isTextual()) stops.add(s.asText());
            else if (s.isArray()) s.forEach(e -> {
                if (!e.isTextual()) throw ApiError.invalid("stop", "stop must be a string or an array of strings");
                stops.add(e.asText());
            });
            else if (!s.isNull()) throw ApiError.invalid("stop", "stop must be a string or an array of strings");
            p.stop(stops);
        }
        if (b.has("stop_token_ids")) {
            List<Integer> ids = new ArrayList<>();
            b.get("stop_token_ids").forEach(e -> ids.add(e.asInt()));
            p.stopTokenIds(ids);
        }
        if (b.has("ignore_eos")) p.ignoreEos(b.get("ignore_eos").asBoolean());
        if (b.has("logprobs")) p.logprobs(intField(b, "logprobs"));
        return p.build();
    }

    private static double number(JsonNode b, String field) {
        JsonNode n = b.get(field);
        if (!n.isNumber()) throw ApiError.invalid(field, field + " must be a number");
        return n.asDouble();
    }

    private static int intField(JsonNode b, String field) {
        JsonNode n = b.get(field);
        if (!n.isIntegralNumber() || !n.canConvertToInt()) throw ApiError.invalid(field, field + " must be an integer");
        return n.asInt();
    }

    private void stream(int[] prompt, SamplingParams params, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        AtomicBoolean clientGone = new AtomicBoolean();
        try (OutputStream out = res.outputStream()) {
            var sequence = generator.newSequence(prompt, params, new TokenListener() {
                @Override
                public void onToken(TokenEvent e) {
                    ObjectNode chunk = JSON.createObjectNode().put("token", e.token()).put("text", e.text());
                    e.logprobs().ifPresent(lp -> chunk.put("logprob", lp.chosen().logprob()));
                    send(out, chunk, clientGone);
                }

                @Override
                public void onFinish(FinishReason reason, String trailing) {
                    send(out, JSON.createObjectNode().put("text", trailing).put("finish_reason", reason.wireName()),
                            clientGone);
                }
            });
            List<dev.vane.engine.generate.Sequence> one = List.of(sequence);
            // a client that disconnects cancels its sequence at the next step
            generator.run(one);
            if (!clientGone.get()) {
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(OutputStream out, ObjectNode event, AtomicBoolean gone) {
        if (gone.get()) return;
        try {
            out.write(("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException | UncheckedIOException e) {
            gone.set(true);
        }
    }

    private ObjectNode resultJson(GenerationResult r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("model", modelId);
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
        o.putObject("usage").put("prompt_tokens", r.promptTokens()).put("completion_tokens", r.tokens().length);
        o.putObject("timings")
                .put("queue_ms", r.timings().queueNanos() / 1e6)
                .put("time_to_first_token_ms", r.timings().firstTokenNanos() / 1e6)
                .put("total_ms", r.timings().totalNanos() / 1e6);
        return o;
    }

    static void sendError(ServerResponse res, ApiError e) {
        ObjectNode err = JSON.createObjectNode();
        ObjectNode inner = err.putObject("error");
        inner.put("message", e.getMessage()).put("type", e.type());
        if (e.param() == null) inner.putNull("param");
        else inner.put("param", e.param());
        inner.putNull("code");
        res.status(Status.create(e.status())).header(HeaderNames.CONTENT_TYPE, "application/json").send(err.toString());
    }
}
