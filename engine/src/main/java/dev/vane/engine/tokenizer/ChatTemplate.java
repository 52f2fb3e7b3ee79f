package dev.vane.engine.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Hugging Face chat template ({@code chat_template} of tokenizer_config.json), rendered with
 * Jinjava so that the output matches {@code tokenizer.apply_chat_template(..., tokenize=False)}.
 *
 * <p>Like HF it renders with {@code trim_blocks} and {@code lstrip_blocks}, without
 * {@code keep_trailing_newline}, and provides {@code messages}, {@code add_generation_prompt}, the
 * special tokens ({@code bos_token}, {@code eos_token}, ...), {@code raise_exception(msg)} (which
 * throws {@link ChatTemplateException} with {@code msg}), {@code strftime_now(fmt)} (from an
 * injectable {@link Clock}), {@code namespace(...)}, loop controls and a {@code tojson} filter with
 * Python's {@code json.dumps} formatting. Python-isms Jinjava lacks ({@code str} and {@code dict}
 * methods, slices with steps, string escapes, {@code 'fmt' % args}, keyword-argument precedence,
 * lstrip_blocks only at line starts) are supplied by {@link JinjaTranslator}, {@link PyResolver}
 * and {@link PyLib}.
 *
 * <p>Known differences from jinja2 (none matter for the Llama 3 and Qwen3 templates, which are
 * checked against jinja2 renders in the tests): an undefined value and {@code none} both print as
 * the empty string, also inside {@code ~} (jinja2 prints {@code None} for the latter);
 * {@code a and b} yields a boolean rather than {@code b}; {@code loop.previtem}/{@code nextitem} and
 * string repetition ({@code 'x' * 3}) are not supported; a plus-sign marker closing a tag does
 * not keep the newline after it. Map ordering follows the {@link Map} given, so pass {@link LinkedHashMap}s
 * where order matters (e.g. tool schemas printed with tojson).
 *
 * <p>Immutable and thread-safe.
 */
public final class ChatTemplate {
    private final String source;
    private final String translated;
    private final Map<String, Object> specialTokens;
    private final Jinjava jinjava;

    private ChatTemplate(String source, String translated, Map<String, Object> specialTokens, Clock clock) {
        this.source = source;
        this.translated = translated;
        this.specialTokens = specialTokens;
        this.jinjava = newJinjava(clock);
    }

    /**
     * Compiles a template without special-token variables.
     *
     * @throws ChatTemplateException if the source cannot be translated
     */
    public static ChatTemplate compile(String source) {
        return compile(source, Map.of());
    }

    /**
     * Compiles a template.
     *
     * @param source the Jinja source
     * @param specialTokens variables every render gets, e.g. {@code bos_token}, {@code eos_token} (HF's
     *     special_tokens_map)
     * @throws ChatTemplateException if the source cannot be translated
     */
    public static ChatTemplate compile(String source, Map<String, ?> specialTokens) {
        Objects.requireNonNull(source, "source");
        String translated = JinjaTranslator.translate(source);
        return new ChatTemplate(source, translated, Collections.unmodifiableMap(new LinkedHashMap<>(specialTokens)),
                Clock.systemDefaultZone());
    }

    /** @return a copy whose {@code strftime_now} reads the given clock (local time in the clock's zone) */
    public ChatTemplate withClock(Clock clock) {
        return new ChatTemplate(source, translated, specialTokens, Objects.requireNonNull(clock, "clock"));
    }

    /** @return the original template source */
    public String source() {
        return source;
    }

    /** @return the variables bound for every render (the special tokens) */
    public Map<String, Object> specialTokens() {
        return specialTokens;
    }

    /**
     * Renders a conversation.
     *
     * @param messages the conversation
     * @param addGenerationPrompt whether to append the header that starts the assistant's reply
     * @return the prompt text
     * @throws ChatTemplateException on {@code raise_exception} or a template error
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * Renders a conversation with extra template variables.
     *
     * @param extraVariables e.g. {@code tools}, {@code enable_thinking}, {@code date_string}; they may also
     *     override the special tokens
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> extraVariables) {
        List<Map<String, Object>> maps = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            maps.add(map);
        }
        return renderMessages(maps, addGenerationPrompt, extraVariables);
    }

    /**
     * Renders messages given as maps, for fields beyond role and content ({@code tool_calls},
     * {@code reasoning_content}, {@code name}, ...), as HF's apply_chat_template takes them.
     */
    public String renderMessages(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt,
            Map<String, ?> extraVariables) {
        Objects.requireNonNull(messages, "messages");
        Map<String, Object> vars = new HashMap<>(specialTokens);
        vars.put("messages", messages);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.putAll(extraVariables);
        RenderResult result;
        try {
            result = jinjava.renderForResult(translated, vars);
        } catch (PyLib.RaisedException e) {
            throw new ChatTemplateException(e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ChatTemplateException("Chat template failed: " + e.getMessage(), e);
        }
        for (TemplateError error : result.getErrors()) {
            PyLib.RaisedException raised = findRaised(error.getException());
            if (raised != null) {
                throw new ChatTemplateException(raised.getMessage(), raised);
            }
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ChatTemplateException("Chat template failed at line " + error.getLineno() + ": "
                        + error.getMessage(), error.getException());
            }
        }
        return result.getOutput();
    }

    private static PyLib.RaisedException findRaised(Throwable t) {
        for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
            if (t instanceof PyLib.RaisedException r) {
                return r;
            }
            if (t instanceof ChatTemplateException c && c.getCause() instanceof PyLib.RaisedException r) {
                return r;
            }
        }
        return null;
    }

    private static Jinjava newJinjava(Clock clock) {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PyResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        LegacyOverrides python = LegacyOverrides.newBuilder()
                .withEvaluateMapKeys(true)
                .withIterateOverMapKeys(true)
                .withUsePyishObjectMapper(true)
                .withUseNaturalOperatorPrecedence(true)
                .withParseWhitespaceControlStrictly(true)
                .withUseTrimmingForNotesAndExpressions(true)
                .withKeepNullableLoopValues(true)
                .withAllowAdjacentTextNodes(true)
                .build();
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(false) // JinjaTranslator applies jinja2's lstrip_blocks rule
                .withLegacyOverrides(python)
                .withElResolver(resolver)
                .withNestedInterpretationEnabled(false)
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(64)
                .withDateTimeProvider(clock::millis)
                .withTimeZone(clock.getZone())
                .withExecutionMode(new PyLib.PyExecutionMode())
                .build();
        Jinjava j = new Jinjava(config);
        PyLib.register(j.getGlobalContext());
        return j;
    }
}
