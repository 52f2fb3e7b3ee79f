package dev.vane.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Behaviour of ChatTemplate beyond the jinja2 golden renders. */
class ChatTemplateTest {

    @Test
    void messageContentIsNeverInterpretedAsTemplate() {
        ChatTemplate t = ChatTemplate.compile("{% for m in messages %}<{{ m.content }}>{% endfor %}");
        String evil = "{{ raise_exception('pwned') }}{% if true %}x{% endif %}{# c #}";
        assertEquals("<" + evil + ">", t.render(List.of(ChatMessage.user(evil)), false));
    }

    @Test
    void raiseExceptionCarriesTheMessage() {
        ChatTemplate t = ChatTemplate.compile(
                "{% if messages[0]['role'] == 'assistant' %}{{ raise_exception('Conversation roles must alternate "
                        + "user/assistant/user/assistant/...') }}{% endif %}ok");
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> t.render(List.of(ChatMessage.assistant("hi")), true));
        assertEquals("Conversation roles must alternate user/assistant/user/assistant/...", e.getMessage());
        assertEquals("ok", t.render(List.of(ChatMessage.user("hi")), true));
    }

    @Test
    void strftimeNowUsesTheInjectedClock() {
        ChatTemplate t = ChatTemplate.compile("Today Date: {{ strftime_now('%d %b %Y') }}");
        Clock clock = Clock.fixed(Instant.parse("2025-01-02T23:30:00Z"), ZoneId.of("Asia/Tokyo"));
        assertEquals("Today Date: 03 Jan 2025", t.withClock(clock).render(List.of(), false));
        Clock utc = Clock.fixed(Instant.parse("2025-01-02T23:30:00Z"), ZoneOffset.UTC);
        assertEquals("Today Date: 02 Jan 2025", t.withClock(utc).render(List.of(), false));
        // the default clock is the system's
        assertTrue(t.render(List.of(), false).matches("Today Date: \\d\\d \\w\\w\\w \\d{4}"));
    }

    @Test
    void extraVariablesAndSpecialTokens() {
        ChatTemplate t = ChatTemplate.compile(
                "{{ bos_token }}{% if tools %}{{ tools|length }} tools {% endif %}{{ date_string|default('none') }}",
                Map.of("bos_token", "<s>"));
        assertEquals("<s>none", t.render(List.of(), false));
        assertEquals("<BOS>2 tools 26 Jul 2024", t.render(List.of(), false,
                Map.of("bos_token", "<BOS>", "tools", List.of(Map.of(), Map.of()), "date_string", "26 Jul 2024")));
        assertEquals(Map.of("bos_token", "<s>"), t.specialTokens());
    }

    @Test
    void renderMessagesTakesExtraFields() {
        ChatTemplate t = ChatTemplate.compile("{% for m in messages %}{{ m.role }}:{{ m.content }}"
                + "{% if m.tool_calls %}{% for c in m.tool_calls %}[{{ c.function.name }}({{ c.function.arguments|tojson }})]"
                + "{% endfor %}{% endif %};{% endfor %}");
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("city", "Zürich");
        args.put("days", 2);
        Map<String, Object> call = Map.of("function", Map.of("name", "weather", "arguments", args));
        Map<String, Object> msg = new LinkedHashMap<>();
        msg.put("role", "assistant");
        msg.put("content", "");
        msg.put("tool_calls", List.of(call));
        assertEquals("assistant:[weather({\"city\": \"Zürich\", \"days\": 2})];",
                t.renderMessages(List.of(msg), false, Map.of()));
    }

    @Test
    void templateErrorsBecomeChatTemplateExceptions() {
        assertThrows(ChatTemplateException.class, () -> ChatTemplate.compile("{{ unclosed"));
        assertThrows(ChatTemplateException.class, () -> ChatTemplate.compile("{{ 'unterminated }}"));
        ChatTemplate t = ChatTemplate.compile("{{ messages[0].content.nosuchmethod() }}");
        assertThrows(ChatTemplateException.class, () -> t.render(List.of(ChatMessage.user("x")), false));
    }

    @Test
    void translatorRewritesPythonisms() {
        assertEquals("{{ 'a\nb\t\\\\\\'' }}", JinjaTranslator.translate("{{ \"a\\nb\\t\\\\'\" }}"));
        assertEquals("{% for m in messages[vane_slice(none, none, -1)] %}",
                JinjaTranslator.translate("{% for m in messages[::-1] %}"));
        assertEquals("{{ x[vane_slice(1, -1, none)] }}", JinjaTranslator.translate("{{ x[1:-1] }}"));
        assertEquals("{{ x[0] }}{{ [1, 2][0] }}", JinjaTranslator.translate("{{ x[0] }}{{ [1, 2][0] }}"));
        assertEquals("{% set ns = namespace(a=true, n=(messages|length - 1)) %}",
                JinjaTranslator.translate("{% set ns = namespace(a=true, n=messages|length - 1) %}"));
        assertEquals("{{- '%}' -}}", JinjaTranslator.translate("{{- \"%}\" -}}"));
        assertEquals("{# {{ 'x'[::-1] }} #}{% raw %}{{ 'y'[::-1] }}{% endraw %}",
                JinjaTranslator.translate("{# {{ 'x'[::-1] }} #}{% raw %}{{ 'y'[::-1] }}{% endraw %}"));
        assertEquals("a\n", JinjaTranslator.translate("a\r\n\n"));
        assertEquals("{{ '\u00e9\uD83D\uDE00A' }}", JinjaTranslator.translate("{{ '\\u00e9\\U0001F600\\x41' }}"));
        assertEquals("\n\u0000x\u00ff\\q", JinjaTranslator.unescape("\\012\\0x\\377\\q"));
    }

    @Test
    void concurrentRendersAgree() throws Exception {
        ChatTemplate t = TestResources.qwenTokenizer().chatTemplate().orElseThrow();
        List<ChatMessage> conversation = List.of(ChatMessage.system("S"), ChatMessage.user("Q1"),
                ChatMessage.assistant("<think>\nr\n</think>\n\nA1"), ChatMessage.user("Q2"));
        String expected = t.render(conversation, true);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                results.add(pool.submit(() -> t.render(conversation, true)));
            }
            for (Future<String> f : results) {
                assertEquals(expected, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
