package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.text.Snippet;
import dev.vane.engine.tokenizer.ChatTemplate;
import dev.vane.engine.tokenizer.ChatTemplateException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A conversation rendered with the model's chat template, from the fields that
 * {@code /v1/chat/completions} and {@code /tokenize} share: {@code messages},
 * {@code add_generation_prompt} (default true), {@code continue_final_message} (default false: the
 * rendered text ends with the last message's content, which must be the assistant's, so that
 * generation continues it) and {@code chat_template_kwargs} (extra template variables, e.g. Qwen3's
 * {@code enable_thinking}). Errors name the field.
 */
final class ChatPrompt {

    static final Set<String> FIELDS = Set.of("messages", "add_generation_prompt", "continue_final_message", "chat_template_kwargs", "tools");
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    static final Set<String> MESSAGE_FIELDS = Set.of("role", "content", "name", "tool_call_id", "tool_calls", "refusal");
    /** Template variables with a field of their own. */
    private static final Set<String> RESERVED = Set.of("messages", "add_generation_prompt", "tools");

    private ChatPrompt() {}

    /** The rendered conversation's text, with the request's {@code tools}. */
    static String render(Fields f, ServerContext ctx) {
        return render(f, ctx, Tools.RENDER);
    }

    /** What the template gets of the request's {@code tools}. */
    enum Tools {
        /** Nothing ({@code tool_choice: "none"}). */
        LEAVE_OUT,
        /** The tools; a template that does not render tools is a 400 on {@code tools}. */
        RENDER,
        /** The tools, if the template renders them (a forced tool choice, whose answer is constrained anyway). */
        RENDER_IF_SUPPORTED
    }

    /**
     * The rendered conversation's text, with the request's {@code tools} as {@code use} says.
     */
    static String render(Fields f, ServerContext ctx, Tools use) {
        ChatTemplate template = ctx.engine().tokenizer().chatTemplate().orElseThrow(() ->
                ApiError.invalid("messages", "the model '" + ctx.modelId() + "' has no chat template; use a text prompt"));
        List<Map<String, Object>> messages = messages(f);
        boolean continueFinal = f.bool("continue_final_message").orElse(false);
        if (continueFinal && f.bool("add_generation_prompt").orElse(false))
            throw ApiError.invalid("continue_final_message", "continue_final_message and add_generation_prompt cannot both be true");
        boolean generationPrompt = !continueFinal && f.bool("add_generation_prompt").orElse(true);
        Map<String, Object> kwargs = new LinkedHashMap<>(kwargs(f));
        List<Object> tools = tools(f);
        boolean rendersTools = template.source().contains("tools");
        if (use == Tools.RENDER && !tools.isEmpty() && !rendersTools)
            throw ApiError.invalid("tools", "the model '" + ctx.modelId() + "' has a chat template that does not render tools"
                    + " (tool_choice required or a named function still constrain the answer to calls)");
        if (use != Tools.LEAVE_OUT && !tools.isEmpty() && rendersTools) kwargs.put("tools", tools);
        Map<String, Object> last = messages.getLast();
        if (continueFinal && !"assistant".equals(last.get("role")))
            throw ApiError.invalid("continue_final_message", "continue_final_message needs the last message to be the assistant's, got "
                    + last.get("role"));
        String text;
        try {
            text = template.renderMessages(messages, generationPrompt, kwargs);
        } catch (ChatTemplateException e) {
            throw ApiError.invalid("messages", "the chat template rejected the messages: " + Snippet.of(e.getMessage(), 200));
        }
        if (!continueFinal) return text;
        String content = last.get("content") instanceof String c ? c : "";
        int at = text.lastIndexOf(content);
        if (at < 0 || content.isEmpty())
            throw ApiError.invalid("continue_final_message", content.isEmpty()
                    ? "continue_final_message needs the last message to have content"
                    : "the chat template does not render the last message's content as it is, so it cannot be continued");
        return text.substring(0, at + content.length());
    }

    /**
     * {@code tools}: OpenAI function tools, {@code {"type": "function", "function": {"name",
     * "description", "parameters", "strict"}}}, as the template receives them (HF's
     * {@code apply_chat_template(tools=...)}).
     */
    static List<Object> tools(Fields f) {
        List<JsonNode> list = f.array("tools").orElse(List.of());
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "tools[" + i + "]";
            if (!list.get(i).isObject()) throw ApiError.invalid(at, at + " must be an object");
            Fields t = new Fields((ObjectNode) list.get(i), at + ".");
            t.allowOnly(Set.of("type", "function"));
            if (!t.string("type").orElse("").equals("function"))
                throw ApiError.invalid(t.param("type"), t.param("type") + " must be function");
            Fields fn = t.object("function").orElseThrow(() -> ApiError.invalid(t.param("function"), t.param("function") + " is required"));
            fn.allowOnly(Set.of("name", "description", "parameters", "strict"));
            String name = fn.string("name").orElseThrow(() -> ApiError.invalid(fn.param("name"), fn.param("name") + " is required"));
            if (!name.matches("[A-Za-z0-9_-]{1,64}"))
                throw ApiError.invalid(fn.param("name"), fn.param("name") + " must be 1 to 64 letters, digits, _ or -");
            fn.string("description");
            fn.object("parameters");
            fn.bool("strict");
            out.add(JsonBody.JSON.convertValue(t.node(), Object.class));
        }
        return out;
    }

    /** {@code chat_template_kwargs} as template variables (JSON values as maps, lists, strings, numbers, booleans). */
    private static Map<String, Object> kwargs(Fields f) {
        return f.object("chat_template_kwargs").map(k -> {
            Map<String, Object> out = new LinkedHashMap<>();
            k.node().properties().forEach(e -> {
                if (RESERVED.contains(e.getKey()))
                    throw ApiError.invalid(k.param(e.getKey()), k.param(e.getKey()) + " cannot be set here"
                            + "; it has a request field of its own");
                out.put(e.getKey(), JsonBody.JSON.convertValue(e.getValue(), Object.class));
            });
            return out;
        }).orElse(Map.of());
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
            boolean calls = m.has("tool_calls");
            if (calls && !role.equals("assistant"))
                throw ApiError.invalid(m.param("tool_calls"), m.param("tool_calls") + " belongs to an assistant message");
            map.put("content", calls && !m.has("content") ? "" : content(m));
            m.string("refusal"); // an assistant message as the API returned it: accepted and ignored
            m.string("name").ifPresent(n -> map.put("name", n));
            m.string("tool_call_id").ifPresent(id -> map.put("tool_call_id", id));
            if (calls) map.put("tool_calls", toolCalls(m));
            out.add(map);
        }
        return out;
    }

    /**
     * An assistant message's {@code tool_calls}, {@code [{"id", "type": "function", "function":
     * {"name", "arguments"}}]}, for the template with each call's {@code arguments} (a JSON string in
     * OpenAI's API) as an object, as HF templates expect.
     */
    private static List<Object> toolCalls(Fields m) {
        List<JsonNode> calls = m.array("tool_calls").orElseThrow();
        List<Object> out = new ArrayList<>();
        for (int j = 0; j < calls.size(); j++) {
            String at = m.param("tool_calls") + "[" + j + "]";
            if (!calls.get(j).isObject()) throw ApiError.invalid(at, at + " must be an object");
            Fields c = new Fields((ObjectNode) calls.get(j), at + ".");
            c.allowOnly(Set.of("id", "type", "function"));
            Fields fn = c.object("function").orElseThrow(() -> ApiError.invalid(c.param("function"), c.param("function") + " is required"));
            fn.allowOnly(Set.of("name", "arguments"));
            String name = fn.string("name").orElseThrow(() -> ApiError.invalid(fn.param("name"), fn.param("name") + " is required"));
            String args = fn.string("arguments").orElse("{}");
            Object parsed;
            try {
                parsed = JsonBody.JSON.readValue(args, Object.class);
            } catch (java.io.IOException e) {
                throw ApiError.invalid(fn.param("arguments"), fn.param("arguments") + " must be a JSON text");
            }
            Map<String, Object> call = new LinkedHashMap<>();
            c.string("id").ifPresent(id -> call.put("id", id));
            call.put("type", "function");
            Map<String, Object> function = new LinkedHashMap<>(); // arguments may be JSON null
            function.put("name", name);
            function.put("arguments", parsed);
            call.put("function", function);
            out.add(call);
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
}
