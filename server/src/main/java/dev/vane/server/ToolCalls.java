package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.tokenizer.ChatTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Tool calls in a model's answer, in the format its chat template teaches: Hermes / Qwen
 * ({@code <tool_call>{"name": …, "arguments": {…}}</tool_call>}, any number, text around them
 * being the message's content) or Llama 3 JSON (the whole answer one object {@code {"name": …,
 * "parameters": {…}}}, optionally after {@code <|python_tag|>}); or, with {@code tool_choice}
 * {@code required}, the JSON array {@code [{"name": …, "parameters": {…}}, …]} the constraint
 * allowed. A call whose JSON does not parse, or lacks a name, is left in the content.
 */
enum ToolCalls implements ToolCallReader {
    HERMES, LLAMA3_JSON, REQUIRED;

    private static final String OPEN = "<tool_call>", CLOSE = "</tool_call>", PYTHON_TAG = "<|python_tag|>";

    /** One parsed call: the function's name and its arguments as a JSON text. */
    record Call(String name, String arguments) {}

    /** An answer split into its content (empty when nothing else was said) and its calls. */
    record Parsed(String content, List<Call> calls) {}

    /** The format the template teaches; empty for a template without tools. */
    static Optional<ToolCalls> of(ChatTemplate template) {
        String src = template.source();
        if (src.contains(OPEN)) return Optional.of(HERMES);
        if (src.contains("tools")) return Optional.of(LLAMA3_JSON);
        return Optional.empty();
    }

    @Override
    public Parsed parse(String text) {
        return switch (this) {
            case HERMES -> hermes(text);
            case LLAMA3_JSON -> llama(text);
            case REQUIRED -> array(text);
        };
    }

    /** Whether text streamed so far may still become a call, so that it is held back: from the first {@code <tool_call>} (or a prefix of it at the end) on. */
    @Override
    public int holdFrom(String text) {
        if (this == REQUIRED) return 0;
        if (this == LLAMA3_JSON) {
            String t = text.stripLeading();
            return t.isEmpty() || t.startsWith("{") || t.startsWith("[") || PYTHON_TAG.startsWith(t) || t.startsWith(PYTHON_TAG) ? 0 : -1;
        }
        int at = text.indexOf(OPEN);
        if (at >= 0) return at;
        for (int k = Math.min(OPEN.length() - 1, text.length()); k > 0; k--)
            if (text.endsWith(OPEN.substring(0, k))) return text.length() - k;
        return -1;
    }

    private static Parsed hermes(String text) {
        List<Call> calls = new ArrayList<>();
        StringBuilder content = new StringBuilder();
        int from = 0;
        while (true) {
            int open = text.indexOf(OPEN, from);
            if (open < 0) break;
            int close = text.indexOf(CLOSE, open);
            String body = close < 0 ? text.substring(open + OPEN.length()) : text.substring(open + OPEN.length(), close);
            Optional<Call> call = call(body, "arguments");
            if (call.isEmpty()) break;
            content.append(text, from, open);
            calls.add(call.get());
            from = close < 0 ? text.length() : close + CLOSE.length();
        }
        content.append(text.substring(from));
        return new Parsed(calls.isEmpty() ? text : content.toString().strip(), calls);
    }

    private static Parsed llama(String text) {
        String t = text.strip();
        if (t.startsWith(PYTHON_TAG)) t = t.substring(PYTHON_TAG.length()).strip();
        Optional<Call> call = call(t, "parameters").or(() -> call(text.strip(), "arguments"));
        return call.map(c -> new Parsed("", List.of(c))).orElse(new Parsed(text, List.of()));
    }

    private static Parsed array(String text) {
        JsonNode n;
        try {
            n = JsonBody.JSON.readTree(text.strip());
        } catch (java.io.IOException e) {
            return new Parsed(text, List.of());
        }
        List<Call> calls = new ArrayList<>();
        if (n != null && n.isArray())
            for (JsonNode c : n) call(c.toString(), "parameters").ifPresent(calls::add);
        return calls.isEmpty() || calls.size() != n.size() ? new Parsed(text, List.of()) : new Parsed("", calls);
    }

    /** {@code {"name": …, argumentsKey: {…}}} (or {@code "arguments"}), else empty. */
    private static Optional<Call> call(String json, String argumentsKey) {
        JsonNode n;
        try {
            n = JsonBody.JSON.readTree(json.strip());
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
        if (n == null || !n.isObject() || !n.path("name").isTextual()) return Optional.empty();
        JsonNode args = n.has(argumentsKey) ? n.get(argumentsKey) : n.get("arguments");
        String a = args == null ? "{}" : args.isTextual() ? args.textValue() : args.toString();
        return Optional.of(new Call(n.get("name").textValue(), a));
    }

    /** OpenAI's {@code tool_calls} array ({@code index} added for stream deltas). */
    static ArrayNode json(List<Call> calls, boolean withIndex) {
        ArrayNode out = JsonBody.JSON.createArrayNode();
        for (int i = 0; i < calls.size(); i++) {
            ObjectNode c = out.addObject();
            if (withIndex) c.put("index", i);
            c.put("id", "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24)).put("type", "function");
            c.putObject("function").put("name", calls.get(i).name()).put("arguments", calls.get(i).arguments());
        }
        return out;
    }
}
