package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.TokenLogprobs;
import dev.vane.engine.text.Snippet;
import dev.vane.engine.tokenizer.ChatTemplate;
import dev.vane.engine.tokenizer.ChatTemplateException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * {@code POST /v1/chat/completions}: messages rendered with the model's chat template (generation
 * prompt added, no extra special tokens), and the {@code chat.completion} shapes. Accepted and
 * ignored: {@code user}, {@code store}, {@code metadata}, {@code service_tier},
 * {@code parallel_tool_calls}; accepted only at their no-op values: {@code tools} (empty),
 * {@code tool_choice} ("none" or "auto" without tools), {@code response_format} (type "text"),
 * {@code logit_bias} (empty). {@code max_completion_tokens} wins over {@code max_tokens}; with
 * neither, a choice may use the rest of the context.
 */
final class ChatFormat implements ChoiceFormat {

    static final int MAX_TOP_LOGPROBS = 20;
    static final Set<String> FIELDS = Fields.union(OpenAiRequest.COMMON,
            Set.of("messages", "max_tokens", "max_completion_tokens", "logprobs", "top_logprobs", "store", "metadata",
                    "service_tier", "parallel_tool_calls", "tools", "tool_choice", "response_format"));
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    static final Set<String> MESSAGE_FIELDS = Set.of("role", "content", "name", "tool_call_id");

    private final Logprobs logprobs;
    private final int top;

    ChatFormat(Logprobs logprobs, OpenAiRequest request) {
        this.logprobs = logprobs;
        this.top = request.topLogprobs();
    }

    static OpenAiRequest parse(Fields f, ServerContext ctx) {
        f.allowOnly(FIELDS);
        ctx.checkModel(f);
        OpenAiRequest.Envelope envelope = OpenAiRequest.Envelope.read(f);
        ignoredOrNoOp(f);
        boolean wantLogprobs = f.bool("logprobs").orElse(false);
        OptionalInt topLogprobs = f.integer("top_logprobs", 0, MAX_TOP_LOGPROBS);
        if (topLogprobs.isPresent() && !wantLogprobs)
            throw ApiError.invalid("top_logprobs", "top_logprobs requires logprobs to be true");
        int top = wantLogprobs ? topLogprobs.orElse(0) : -1;

        ChatTemplate template = ctx.engine().tokenizer().chatTemplate().orElseThrow(() ->
                ApiError.invalid("messages", "the model '" + ctx.modelId() + "' has no chat template; use /v1/completions"));
        String text;
        try {
            text = template.renderMessages(messages(f), true, Map.of());
        } catch (ChatTemplateException e) {
            throw ApiError.invalid("messages", "the chat template rejected the messages: " + Snippet.of(e.getMessage(), 200));
        }
        int[] prompt = Prompts.encode(ctx, text, false, "messages");
        if (prompt.length == 0) throw ApiError.invalid("messages", "the rendered conversation is empty");

        SamplingParams.Builder p = SamplingFields.read(f, ctx.defaults());
        OptionalInt maxCompletion = f.integer("max_completion_tokens");
        OptionalInt maxTokens = f.integer("max_tokens");
        String maxField = maxCompletion.isPresent() ? "max_completion_tokens" : "max_tokens";
        p.maxTokens(maxCompletion.isPresent() ? maxCompletion.getAsInt()
                : maxTokens.orElse(Math.max(1, ctx.engine().contextLength() - prompt.length)));
        if (top >= 0) p.logprobs(Math.max(1, top));
        SamplingParams params;
        try {
            params = SamplingFields.validated(p::build);
        } catch (ApiError e) {
            throw "max_tokens".equals(e.param()) ? ApiError.invalid(maxField, e.getMessage().replace("max_tokens", maxField)) : e;
        }
        return new OpenAiRequest(List.of(prompt), List.of(params), envelope.n(), envelope.stream(),
                envelope.includeUsage(), top, envelope.vane());
    }

    private static void ignoredOrNoOp(Fields f) {
        f.bool("store");
        f.object("metadata");
        f.string("service_tier");
        f.bool("parallel_tool_calls");
        boolean tools = f.array("tools").map(t -> !t.isEmpty()).orElse(false);
        if (tools) throw ApiError.unsupported("tools", "tool calling");
        JsonNode choice = f.raw("tool_choice");
        if (choice != null && !(choice.isTextual() && Set.of("none", "auto").contains(choice.textValue())))
            throw ApiError.unsupported("tool_choice", "tool calling");
        f.object("response_format").ifPresent(r -> {
            r.allowOnly(Set.of("type"));
            if (!r.string("type").orElse("text").equals("text"))
                throw ApiError.unsupported(r.param("type"), "response_format other than text");
        });
    }

    /** The messages as template maps; {@code developer} is rendered as {@code system}. */
    private static List<Map<String, Object>> messages(Fields f) {
        List<JsonNode> list = f.array("messages").orElseThrow(() -> ApiError.invalid("messages", "messages is required"));
        if (list.isEmpty()) throw ApiError.invalid("messages", "messages must not be empty");
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "messages[" + i + "]";
            if (!list.get(i).isObject()) throw ApiError.invalid(at, at + " must be an object");
            Fields m = new Fields((ObjectNode) list.get(i), at + ".");
            m.allowOnly(MESSAGE_FIELDS);
            String role = m.string("role").orElseThrow(() -> ApiError.invalid(m.param("role"), m.param("role") + " is required"));
            if (!ROLES.contains(role))
                throw ApiError.invalid(m.param("role"), m.param("role") + " must be one of " + ROLES + ", got '"
                        + Snippet.of(role) + "'");
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", role.equals("developer") ? "system" : role);
            map.put("content", content(m));
            m.string("name").ifPresent(n -> map.put("name", n));
            m.string("tool_call_id").ifPresent(id -> map.put("tool_call_id", id));
            out.add(map);
        }
        return out;
    }

    /** A string, or an array of {@code {"type": "text", "text": ...}} parts joined by newlines. */
    private static String content(Fields m) {
        JsonNode c = m.raw("content");
        String param = m.param("content");
        if (c == null) throw ApiError.invalid(param, param + " is required");
        if (c.isTextual()) return c.textValue();
        if (!c.isArray()) throw ApiError.invalid(param, param + " must be a string or an array of text parts");
        List<String> parts = new ArrayList<>();
        for (int j = 0; j < c.size(); j++) {
            String at = param + "[" + j + "]";
            if (!c.get(j).isObject()) throw ApiError.invalid(at, at + " must be an object");
            Fields part = new Fields((ObjectNode) c.get(j), at + ".");
            part.allowOnly(Set.of("type", "text"));
            if (!part.string("type").orElse("").equals("text"))
                throw ApiError.unsupported(part.param("type"), "content parts other than text");
            parts.add(part.string("text").orElseThrow(() -> ApiError.invalid(part.param("text"), part.param("text") + " is required")));
        }
        return String.join("\n", parts);
    }

    @Override public String object() { return "chat.completion"; }
    @Override public String chunkObject() { return "chat.completion.chunk"; }
    @Override public String idPrefix() { return "chatcmpl-"; }

    @Override
    public ObjectNode choice(int index, GenerationResult r) {
        ObjectNode c = JsonBody.JSON.createObjectNode().put("index", index);
        c.putObject("message").put("role", "assistant").put("content", r.text()).putNull("refusal");
        if (top < 0) c.putNull("logprobs");
        else c.set("logprobs", logprobs.chat(r.logprobs(), top));
        return c.put("finish_reason", r.finishReason().wireName());
    }

    @Override
    public ObjectNode opening(int index) {
        ObjectNode c = JsonBody.JSON.createObjectNode().put("index", index);
        c.putObject("delta").put("role", "assistant").put("content", "");
        return c.putNull("logprobs").putNull("finish_reason");
    }

    @Override
    public ObjectNode delta(int index, String text, Optional<TokenLogprobs> lp) {
        boolean withLogprobs = top >= 0 && lp.isPresent();
        if (text.isEmpty() && !withLogprobs) return null;
        ObjectNode c = JsonBody.JSON.createObjectNode().put("index", index);
        c.putObject("delta").put("content", text);
        if (withLogprobs) c.set("logprobs", logprobs.chat(List.of(lp.get()), top));
        else c.putNull("logprobs");
        return c.putNull("finish_reason");
    }

    @Override
    public ObjectNode finish(int index, String finishReason) {
        ObjectNode c = JsonBody.JSON.createObjectNode().put("index", index);
        c.putObject("delta");
        return c.putNull("logprobs").put("finish_reason", finishReason);
    }
}
