package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code response_format} on the routes of the shared test server (a tiny random model with the
 * Llama 3 tokenizer): constrained text on chat, completions and the native route, streamed and
 * not; and a 400 naming the problem for every bad format or schema.
 */
class StructuredOutputApiTest {
    private final TestServer s = TestServer.shared();
    private static final String SCHEMA = "{\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\", \"maxLength\": 6},"
            + " \"age\": {\"type\": \"integer\", \"minimum\": 0, \"maximum\": 120}, \"pet\": {\"enum\": [\"cat\", \"dog\", null]}},"
            + " \"required\": [\"name\", \"age\", \"pet\"], \"additionalProperties\": false}";
    private static final String FORMAT = "\"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"person\", \"strict\": true, \"schema\": "
            + SCHEMA + "}}";
    private static final String CHAT = "\"messages\": [{\"role\": \"user\", \"content\": \"A person as JSON\"}]";

    private static void assertPerson(String text) {
        JsonNode p = TestServer.read(text);
        List<String> names = new ArrayList<>();
        p.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("name", "age", "pet"), names, text);
        assertTrue(p.get("name").asText().codePointCount(0, p.get("name").asText().length()) <= 6, text);
        assertTrue(p.get("age").isInt() && p.get("age").asInt() >= 0 && p.get("age").asInt() <= 120, text);
        assertTrue(p.get("pet").isNull() || List.of("cat", "dog").contains(p.get("pet").asText()), text);
    }

    @Test
    void chatChoicesAreJsonOfTheSchema() {
        JsonNode r = s.ok("/v1/chat/completions", "{" + CHAT + ", " + FORMAT + ", \"n\": 3, \"seed\": 5, \"temperature\": 1, \"max_tokens\": 100}");
        for (JsonNode c : r.get("choices")) {
            assertEquals("stop", c.get("finish_reason").asText());
            assertPerson(c.get("message").get("content").asText());
        }
        JsonNode greedy = s.ok("/v1/chat/completions", "{" + CHAT + ", " + FORMAT + ", \"temperature\": 0, \"max_tokens\": 100}");
        assertPerson(greedy.get("choices").get(0).get("message").get("content").asText());
    }

    @Test
    void completionsAndTheNativeRouteTakeItToo() {
        JsonNode c = s.ok("/v1/completions", "{\"prompt\": \"A person:\", " + FORMAT + ", \"seed\": 2, \"temperature\": 1, \"max_tokens\": 100}");
        assertEquals("stop", c.get("choices").get(0).get("finish_reason").asText());
        assertPerson(c.get("choices").get(0).get("text").asText());
        JsonNode g = s.ok("/v1/generate", "{\"prompt\": \"A person:\", " + FORMAT + ", \"seed\": 3, \"temperature\": 1, \"max_tokens\": 100}");
        assertPerson(g.get("text").asText());
    }

    @Test
    void aStreamedChoiceIsTheSameJson() {
        String body = "{" + CHAT + ", " + FORMAT + ", \"seed\": 8, \"temperature\": 1, \"max_tokens\": 100";
        String whole = s.ok("/v1/chat/completions", body + "}").get("choices").get(0).get("message").get("content").asText();
        StringBuilder streamed = new StringBuilder();
        for (JsonNode e : s.stream("/v1/chat/completions", body + ", \"stream\": true}"))
            for (JsonNode c : e.get("choices")) streamed.append(c.path("delta").path("content").asText(""));
        assertEquals(whole, streamed.toString());
        assertPerson(whole);
    }

    @Test
    void jsonObjectTextIsAnObjectOrItsPrefixWhenCutByMaxTokens() {
        JsonNode r = s.ok("/v1/chat/completions", "{" + CHAT + ", \"response_format\": {\"type\": \"json_object\"}, \"n\": 4, \"seed\": 1,"
                + " \"temperature\": 1, \"max_tokens\": 24}");
        for (JsonNode c : r.get("choices")) {
            String text = c.get("message").get("content").asText();
            assertTrue(text.startsWith("{"), text);
            if (c.get("finish_reason").asText().equals("stop")) assertTrue(TestServer.read(text).isObject(), text);
            else assertEquals("length", c.get("finish_reason").asText());
        }
    }

    @Test
    void badFormatsAndSchemasAreA400NamingTheProblem() {
        String p = "response_format.json_schema.schema.";
        String[][] cases = {
                {"{\"type\": \"xml\"}", "response_format.type"},
                {"{\"json_schema\": {}}", "response_format.type"},
                {"{\"type\": \"json_schema\"}", "response_format.json_schema"},
                {"{\"type\": \"json_object\", \"json_schema\": {\"schema\": {}}}", "response_format.json_schema"},
                {"{\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\"}}", "response_format.json_schema.schema"},
                {"{\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\", \"schema\": {}, \"mode\": 1}}", "response_format.json_schema.mode"},
                {"{\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\", \"schema\": 5}}", "response_format.json_schema.schema"},
                {schema("{\"type\": \"object\", \"properties\": {\"code\": {\"type\": \"string\", \"pattern\": \"^[A-Z]+$\"}}}", false), p + "properties.code.pattern"},
                {schema("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"text\"}}}", false), p + "properties.a.type"},
                {schema("{\"type\": \"object\", \"properties\": {\"age\": {\"type\": \"integer\", \"minimum\": 10, \"maximum\": 5}}}", false), p + "properties.age.minimum"},
                {schema("{\"type\": \"string\", \"minLength\": 5, \"maxLength\": 2}", false), p + "minLength"},
                {schema("{\"type\": \"object\", \"properties\": {\"when\": {\"type\": \"string\", \"format\": \"date-time\"}}}", false), p + "properties.when.format"},
                {schema("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\"}}, \"required\": [\"a\"]}", true), p + "additionalProperties"},
                {schema("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\"}, \"b\": {\"type\": \"string\"}}, \"required\": [\"a\"], \"additionalProperties\": false}", true), p + "required"},
                {schema("{\"$defs\": {\"N\": {\"type\": \"object\", \"properties\": {\"next\": {\"$ref\": \"#/$defs/N\"}}, \"required\": [\"next\"]}}, \"$ref\": \"#/$defs/N\"}", false), p + "$defs.N.properties.next.$ref"},
                {schema("{\"oneOf\": [{\"type\": \"string\"}, {\"type\": \"integer\"}]}", false), p + "oneOf"},
                {schema("{\"type\": \"array\", \"items\": {\"type\": \"integer\"}, \"uniqueItems\": true}", false), p + "uniqueItems"},
                {schema("{\"anyOf\": [{\"$ref\": \"#\"}, {\"type\": \"null\"}]}", false), p + "anyOf[0].$ref"},
        };
        for (String[] c : cases) {
            JsonNode err = TestServer.assertError(s.post("/v1/chat/completions", "{" + CHAT + ", \"response_format\": " + c[0] + "}"), 400, c[1]);
            assertTrue(err.get("message").asText().length() > 10, err.toString());
        }
        TestServer.assertError(s.post("/v1/completions", "{\"prompt\": \"x\", \"response_format\": " + cases[7][0] + "}"), 400, cases[7][1]);
        TestServer.assertError(s.post("/v1/generate", "{\"prompt\": \"x\", \"response_format\": " + cases[9][0] + "}"), 400, cases[9][1]);
        JsonNode pattern = TestServer.assertError(s.post("/v1/chat/completions", "{" + CHAT + ", \"response_format\": " + cases[7][0] + "}"), 400, cases[7][1]);
        assertTrue(pattern.get("message").asText().contains("pattern"), pattern.toString());
    }

    private static String schema(String schema, boolean strict) {
        return "{\"type\": \"json_schema\", \"json_schema\": {\"name\": \"s\", \"strict\": " + strict + ", \"schema\": " + schema + "}}";
    }
}
