package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.text.Snippet;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.artifact.Provenance;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.List;
import java.util.Set;

/**
 * vLLM's tokenizer routes: {@code POST /tokenize} (a text {@code prompt}, or a conversation as
 * {@code /v1/chat/completions} takes it, to token ids: {@code {"count", "max_model_len", "tokens",
 * "token_strs"}}), {@code POST /detokenize} ({@code {"tokens"}} to {@code {"prompt"}}) and
 * {@code GET /version}.
 */
final class TokenizeService implements HttpService {

    static final Set<String> TOKENIZE_FIELDS = Fields.union(ChatPrompt.FIELDS,
            Set.of("model", "prompt", "add_special_tokens", "return_token_strs"));
    static final Set<String> DETOKENIZE_FIELDS = Set.of("model", "tokens");

    private final ServerContext ctx;

    TokenizeService(ServerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/tokenize", Responses.timed(ctx.metrics(), "tokenize", this::tokenize))
                .post("/detokenize", Responses.timed(ctx.metrics(), "detokenize", this::detokenize))
                .get("/version", (req, res) -> Responses.json(res, JsonBody.JSON.createObjectNode().put("version", Provenance.VERSION)));
    }

    /**
     * A text prompt is tokenized with the model's special tokens unless {@code add_special_tokens}
     * is false; a conversation is rendered by the chat template, whose text carries its own
     * special tokens, so there the default is false (as in vLLM).
     */
    private void tokenize(ServerRequest req, ServerResponse res) {
        Fields f = Fields.of(JsonBody.read(req, ctx.maxBodyBytes())).allowOnly(TOKENIZE_FIELDS);
        ctx.checkModel(f);
        boolean chat = f.has("messages");
        if (chat == f.has("prompt"))
            throw ApiError.invalid("prompt", "give either prompt (a text) or messages (a conversation), not "
                    + (chat ? "both" : "neither"));
        if (!chat)
            for (String k : ChatPrompt.FIELDS)
                if (f.has(k)) throw ApiError.invalid(k, k + " applies to messages, not to a text prompt");
        boolean special = f.bool("add_special_tokens").orElse(!chat);
        boolean strings = f.bool("return_token_strs").orElse(false);
        String text = chat ? ChatPrompt.render(f, ctx)
                : f.string("prompt").orElseThrow(() -> ApiError.invalid("prompt", "prompt must be a string"));
        int[] ids = Prompts.encode(ctx, text, special, chat ? "messages" : "prompt");
        ObjectNode o = JsonBody.JSON.createObjectNode();
        o.put("count", ids.length);
        o.put("max_model_len", ctx.engine().contextLength());
        ArrayNode tokens = o.putArray("tokens");
        for (int id : ids) tokens.add(id);
        if (strings) {
            Tokenizer tok = ctx.engine().tokenizer();
            ArrayNode s = o.putArray("token_strs");
            for (int id : ids) s.add(tok.tokenString(id));
        } else {
            o.putNull("token_strs");
        }
        Responses.json(res, o);
    }

    private void detokenize(ServerRequest req, ServerResponse res) {
        Fields f = Fields.of(JsonBody.read(req, ctx.maxBodyBytes())).allowOnly(DETOKENIZE_FIELDS);
        ctx.checkModel(f);
        List<JsonNode> list = f.array("tokens").orElseThrow(() -> ApiError.invalid("tokens", "tokens is required"));
        int vocab = ctx.engine().vocabSize();
        int[] ids = new int[list.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = list.get(i);
            if (!t.isIntegralNumber() || !t.canConvertToInt() || t.intValue() < 0 || t.intValue() >= vocab)
                throw ApiError.invalid("tokens[" + i + "]", "tokens[" + i + "] " + Snippet.of(t.toString())
                        + " is not a token id of this model (0.." + (vocab - 1) + ")");
            ids[i] = t.intValue();
        }
        Responses.json(res, JsonBody.JSON.createObjectNode().put("prompt", ctx.engine().tokenizer().decode(ids, false)));
    }
}
