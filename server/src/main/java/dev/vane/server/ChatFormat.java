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
 * {@code parallel_tool_calls}. With {@code tools} (and {@code tool_choice} {@code auto}, the
 * default), the template renders them and each answer's calls are parsed ({@link ToolCalls}) into
 * {@code tool_calls} (finish reason {@code tool_calls}); in a stream, text that may become a call
 * is held back and the calls come whole on the last chunk. {@code tool_choice} {@code none} leaves
 * the tools out; {@code required} or a named function constrain the answer to calls
 * ({@link ToolChoice}). {@code response_format} constrains the choices to JSON
 * ({@link ResponseFormat}).
 * {@code max_completion_tokens} wins over {@code max_tokens}; with
 * neither, a choice may use the rest of the context.
 */
final class ChatFormat implements ChoiceFormat {

    static final int MAX_TOP_LOGPROBS = 20;
    static final Set<String> FIELDS = Fields.union(OpenAiRequest.COMMON,
            Fields.union(ChatPrompt.FIELDS, Set.of("max_tokens", "max_completion_tokens", "logprobs", "top_logprobs", "store",
                    "metadata", "service_tier", "parallel_tool_calls", "tools", "tool_choice", "response_format")));

    private final Logprobs logprobs;
    private final int top;
    private final Optional<ToolCallReader> tools;
    /** Per choice in a stream, with tools: the text so far and how much of it was sent. */
    private final java.util.Map<Integer, StringBuilder> seen = new java.util.HashMap<>();
    private final java.util.Map<Integer, Integer> sent = new java.util.HashMap<>();

    ChatFormat(Logprobs logprobs, OpenAiRequest request) {
        this.logprobs = logprobs;
        this.top = request.topLogprobs();
        this.tools = request.toolCalls();
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

        ToolChoice choice = ToolChoice.read(f);
        boolean hasTools = f.array("tools").map(t -> !t.isEmpty()).orElse(false);
        boolean forced = choice instanceof ToolChoice.Required || choice instanceof ToolChoice.Named;
        if (forced && !hasTools) throw ApiError.invalid("tool_choice", "tool_choice " + (choice instanceof ToolChoice.Named ? "naming a function" : "required") + " needs tools");
        if (forced && grammar.isPresent())
            throw ApiError.invalid("response_format", "response_format cannot be combined with tool_choice required or a named function (both constrain the answer)");
        boolean toolsOn = hasTools && !(choice instanceof ToolChoice.None);
        String text = ChatPrompt.render(f, ctx, !toolsOn ? ChatPrompt.Tools.LEAVE_OUT
                : forced ? ChatPrompt.Tools.RENDER_IF_SUPPORTED : ChatPrompt.Tools.RENDER);
        Optional<ToolCallReader> toolCalls = !toolsOn ? Optional.empty() : switch (choice) {
            case ToolChoice.Named n -> Optional.of(new ToolCallReader.Named(n.name()));
            case ToolChoice.Required r -> Optional.of(ToolCalls.REQUIRED);
            default -> ctx.engine().tokenizer().chatTemplate().flatMap(ToolCalls::of);
        };
        if (forced) grammar = ToolChoice.grammar(choice, f);
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
                envelope.includeUsage(), top, envelope.vane(), List.of(), envelope.n(), toolCalls, grammar);
    }

    private static void ignoredOrNoOp(Fields f) {
        f.bool("store");
        f.object("metadata");
        f.string("service_tier");
        f.bool("parallel_tool_calls");
    }

    @Override public String object() { return "chat.completion"; }
    @Override public String chunkObject() { return "chat.completion.chunk"; }
    @Override public String idPrefix() { return "chatcmpl-"; }

    @Override
    public ObjectNode choice(int index, GenerationResult r) {
        ObjectNode c = JsonBody.JSON.createObjectNode().put("index", index);
        ObjectNode message = c.putObject("message").put("role", "assistant");
        String reason = r.finishReason().wireName();
        ToolCalls.Parsed parsed = tools.map(t -> t.parse(r.text())).orElse(new ToolCalls.Parsed(r.text(), List.of()));
        if (parsed.calls().isEmpty()) message.put("content", r.text());
        else {
            if (parsed.content().isEmpty()) message.putNull("content");
            else message.put("content", parsed.content());
            message.set("tool_calls", ToolCalls.json(parsed.calls(), false));
            if (reason.equals("stop")) reason = "tool_calls";
        }
        message.putNull("refusal");
        if (top < 0) c.putNull("logprobs");
        else c.set("logprobs", logprobs.chat(r.logprobs(), top));
        return c.put("finish_reason", reason);
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
        if (tools.isPresent()) text = release(index, text); // text that may become a tool call is held back
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
        ObjectNode delta = c.putObject("delta");
        if (tools.isPresent()) { // what was held back: the calls, and the rest of the content
            String all = seen.getOrDefault(index, new StringBuilder()).toString();
            int from = sent.getOrDefault(index, 0);
            ToolCalls.Parsed whole = tools.get().parse(all); // as the answer without a stream reads it
            if (whole.calls().isEmpty()) {
                if (from < all.length()) delta.put("content", all.substring(from));
            } else {
                String released = all.substring(0, from);
                String rest = whole.content().startsWith(released) ? whole.content().substring(released.length())
                        : tools.get().parse(all.substring(from)).content();
                if (!rest.isEmpty()) delta.put("content", rest);
                delta.set("tool_calls", ToolCalls.json(whole.calls(), true));
                if (finishReason.equals("stop")) finishReason = "tool_calls";
            }
        }
        return c.putNull("logprobs").put("finish_reason", finishReason);
    }

    /** Of a stream's new text, the part that can be sent now: everything before where a tool call may start. */
    private String release(int index, String text) {
        StringBuilder all = seen.computeIfAbsent(index, i -> new StringBuilder()).append(text);
        int from = sent.getOrDefault(index, 0);
        ToolCallReader reader = tools.get();
        int upTo;
        if (from > 0 && reader != ToolCalls.HERMES) upTo = all.length(); // text already sent: the answer is no call of this reader's
        else {
            // Hermes calls may come after text: only the unsent part is looked at (sent text holds no call nor its start)
            int hold = reader.holdFrom(reader == ToolCalls.HERMES ? all.substring(from) : all.toString());
            upTo = hold < 0 ? all.length() : from + (reader == ToolCalls.HERMES ? hold : Math.max(0, hold - from));
            if (reader == ToolCalls.HERMES) // whitespace before a call is not content: held until the next text
                while (upTo > from && Character.isWhitespace(all.charAt(upTo - 1))) upTo--;
        }
        sent.put(index, upTo);
        return all.substring(from, upTo);
    }
}
