package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.TokenLogprobs;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * {@code POST /v1/chat/completions}: messages rendered with the model's chat template
 * ({@link ChatPrompt}: generation prompt, continuation of the last message, template keyword
 * arguments; no extra special tokens), and the {@code chat.completion} shapes. Accepted and
 * ignored: {@code user}, {@code store}, {@code metadata}, {@code service_tier},
 * {@code parallel_tool_calls}; accepted only at their no-op values: {@code tools} (empty),
 * {@code tool_choice} ("none" or "auto" without tools). {@code response_format} constrains the
 * choices to JSON ({@link ResponseFormat}).
 * {@code max_completion_tokens} wins over {@code max_tokens}; with
 * neither, a choice may use the rest of the context.
 */
final class ChatFormat implements ChoiceFormat {

    static final int MAX_TOP_LOGPROBS = 20;
    private static final Set<String> FIELDS = Fields.union(OpenAiRequest.COMMON,
            Fields.union(ChatPrompt.FIELDS, Set.of("max_tokens", "max_completion_tokens", "logprobs", "top_logprobs", "store",
                    "metadata", "service_tier", "parallel_tool_calls", "tools", "tool_choice", "response_format")));

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
        var grammar = ResponseFormat.read(f);
        boolean wantLogprobs = f.bool("logprobs").orElse(false);
        OptionalInt topLogprobs = f.integer("top_logprobs", 0, MAX_TOP_LOGPROBS);
        if (topLogprobs.isPresent() && !wantLogprobs)
            throw ApiError.invalid("top_logprobs", "top_logprobs requires logprobs to be true");
        int top = wantLogprobs ? topLogprobs.orElse(0) : -1;

        String text = ChatPrompt.render(f, ctx);
        int[] prompt = Prompts.encode(ctx, text, false, "messages");
        if (prompt.length == 0) throw ApiError.invalid("messages", "the rendered conversation is empty");

        SamplingParams.Builder p = SamplingFields.read(f, ctx);
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
                envelope.includeUsage(), top, envelope.vane(), List.of(), envelope.n(), grammar);
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
