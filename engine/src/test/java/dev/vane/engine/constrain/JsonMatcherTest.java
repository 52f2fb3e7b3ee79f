package dev.vane.engine.constrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The byte matcher admits exactly the compact JSON texts valid against each schema. */
class JsonMatcherTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static Grammar schema(String s) {
        try {
            return Grammar.jsonSchema(JSON.readTree(s), false);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Whether the grammar admits the whole text; also that every proper prefix is alive (no dead end). */
    static boolean admits(Grammar g, String text) {
        MatchState s = g.initial();
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        for (byte x : b) {
            s = s.next(x & 0xFF);
            if (s == null) return false;
        }
        return s.accepting();
    }

    record Case(String schema, List<String> valid, List<String> invalid) {}

    static Stream<Case> cases() {
        return Stream.of(
                new Case("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":\"integer\"}},\"required\":[\"name\",\"age\"],\"additionalProperties\":false}",
                        List.of("{\"name\":\"Ann\",\"age\":31}", "{\"name\":\"\",\"age\":-4}", "{\"name\":\"é\\n\\u00e9\",\"age\":0}"),
                        List.of("{\"age\":31,\"name\":\"Ann\"}", "{\"name\":\"Ann\"}", "{\"name\":\"Ann\",\"age\":3.5}", "{ \"name\":\"Ann\",\"age\":31}",
                                "{\"name\":\"Ann\",\"age\":031}", "{\"name\":\"Ann\",\"age\":31,}", "{\"name\":\"a\u0001\",\"age\":1}", "{\"name\":\"\\ud800\",\"age\":1}")),
                new Case("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"boolean\"},\"b\":{\"type\":\"null\"},\"c\":{\"type\":\"number\"}},\"required\":[\"b\"]}",
                        List.of("{\"b\":null}", "{\"a\":true,\"b\":null}", "{\"b\":null,\"c\":1.25}", "{\"a\":false,\"b\":null,\"c\":-0.5}"),
                        List.of("{}", "{\"a\":true}", "{\"c\":1,\"b\":null}", "{\"b\":null,\"a\":true}", "{\"b\":null,\"c\":1.}", "{\"b\":null,\"c\":1e5}")),
                new Case("{\"type\":\"array\",\"items\":{\"type\":\"integer\",\"minimum\":10,\"maximum\":20},\"minItems\":1,\"maxItems\":3}",
                        List.of("[10]", "[20,15,11]", "[12,13]"),
                        List.of("[]", "[9]", "[21]", "[10,11,12,13]", "[1]", "[100]", "[10.5]", "[-10]")),
                new Case("{\"type\":\"number\",\"exclusiveMinimum\":0,\"exclusiveMaximum\":1}",
                        List.of("0.5", "0.000001", "0.999999"),
                        List.of("0", "1", "1.0", "-0.5", "0.0000001", "2")),
                new Case("{\"type\":\"integer\",\"minimum\":-5,\"maximum\":-3}",
                        List.of("-5", "-4", "-3"),
                        List.of("-2", "-6", "3", "-30", "-0")),
                new Case("{\"type\":\"string\",\"minLength\":2,\"maxLength\":3}",
                        List.of("\"ab\"", "\"abc\"", "\"éé\"", "\"a\\n\"", "\"😀😀\""),
                        List.of("\"a\"", "\"abcd\"", "\"\"", "ab")),
                new Case("{\"enum\":[\"red\",\"green\",1,12,null,{\"k\":[1]}]}",
                        List.of("\"red\"", "\"green\"", "1", "12", "null", "{\"k\":[1]}"),
                        List.of("\"blue\"", "2", "123", "\"re\"", "{\"k\":[2]}")),
                new Case("{\"type\":\"string\",\"enum\":[\"a\",1,\"b\"]}",
                        List.of("\"a\"", "\"b\""), List.of("1")),
                new Case("{\"anyOf\":[{\"type\":\"object\",\"properties\":{\"cat\":{\"type\":\"string\"}},\"required\":[\"cat\"],\"additionalProperties\":false},"
                        + "{\"type\":\"object\",\"properties\":{\"cow\":{\"type\":\"integer\"}},\"required\":[\"cow\"],\"additionalProperties\":false},{\"type\":\"null\"}]}",
                        List.of("{\"cat\":\"x\"}", "{\"cow\":3}", "null"),
                        List.of("{\"cat\":3}", "{\"cow\":\"x\"}", "{}", "{\"cat\":\"x\",\"cow\":3}")),
                new Case("{\"$defs\":{\"P\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\"}},\"required\":[\"x\"],\"additionalProperties\":false}},"
                        + "\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"#/$defs/P\"},\"b\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/P\"}}},\"required\":[\"a\",\"b\"],\"additionalProperties\":false}",
                        List.of("{\"a\":{\"x\":1},\"b\":[]}", "{\"a\":{\"x\":1},\"b\":[{\"x\":2},{\"x\":3}]}"),
                        List.of("{\"a\":{\"x\":1},\"b\":[{}]}", "{\"a\":{},\"b\":[]}")),
                new Case("{\"type\":[\"string\",\"null\"],\"maxLength\":1}",
                        List.of("null", "\"\"", "\"a\""), List.of("\"ab\"", "nul")),
                new Case("{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\"}}",
                        List.of("{}", "{\"a\":1}", "{\"a\":1,\"b\":-2}"), List.of("{\"a\":\"x\"}", "{\"a\":1,}", "{a:1}")),
                new Case("{\"type\":\"object\",\"propertyNames\":{\"maxLength\":2},\"minProperties\":1,\"maxProperties\":2,\"additionalProperties\":{\"type\":\"integer\"}}",
                        List.of("{\"a\":1}", "{\"ab\":1,\"c\":2}"), List.of("{}", "{\"abc\":1}", "{\"a\":1,\"b\":2,\"c\":3}")),
                new Case("{\"type\":\"object\",\"propertyNames\":{\"enum\":[\"x\",\"xy\"]},\"additionalProperties\":{\"type\":\"null\"}}",
                        List.of("{}", "{\"x\":null}", "{\"xy\":null,\"x\":null}"), List.of("{\"y\":null}", "{\"xyz\":null}")),
                new Case("{\"$defs\":{\"T\":{\"type\":\"object\",\"properties\":{\"v\":{\"type\":\"integer\"},\"kids\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/T\"},\"maxItems\":2}},"
                        + "\"required\":[\"v\",\"kids\"],\"additionalProperties\":false}},\"$ref\":\"#/$defs/T\"}",
                        List.of("{\"v\":1,\"kids\":[]}", "{\"v\":1,\"kids\":[{\"v\":2,\"kids\":[{\"v\":3,\"kids\":[]}]},{\"v\":4,\"kids\":[]}]}"),
                        List.of("{\"v\":1}", "{\"v\":1,\"kids\":[{\"v\":2}]}", "{\"v\":1,\"kids\":[{\"v\":2,\"kids\":[]},{\"v\":2,\"kids\":[]},{\"v\":2,\"kids\":[]}]}")),
                new Case("{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"array\",\"items\":{\"$ref\":\"#\"},\"maxItems\":2}]}",
                        List.of("1", "[]", "[1,[2,[]]]", "[[[[[3]]]]]"), List.of("[1,2,3]", "[[1,2,3]]", "[\"a\"]")),
                new Case("{}",
                        List.of("1", "\"x\"", "[1,[true,{\"a\":null}]]", "{\"k\":{\"j\":[]}}", "false"), List.of("[1,]", "{\"a\"}", "tru")));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void admitsExactlyTheValidTexts(Case c) {
        Grammar g = schema(c.schema());
        for (String v : c.valid()) assertTrue(admits(g, v), () -> c.schema() + " should admit " + v);
        for (String v : c.invalid()) assertFalse(admits(g, v), () -> c.schema() + " should reject " + v);
    }

    @Test
    void jsonObjectIsAnyObject() {
        Grammar g = Grammar.jsonObject();
        assertTrue(admits(g, "{}"));
        assertTrue(admits(g, "{\"a\":[1,2.5,\"x\",{\"b\":null}],\"c\":true}"));
        assertFalse(admits(g, "[]"));
        assertFalse(admits(g, "\"x\""));
        assertFalse(admits(g, "{\"a\":1} "));
    }

    @Test
    void aCompleteObjectAdmitsNothingMore() {
        MatchState s = schema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},\"required\":[\"a\"]}").initial()
                .next("{\"a\":5}".getBytes(StandardCharsets.UTF_8));
        assertNotNull(s);
        assertTrue(s.terminal());
        MatchState n = schema("{\"type\":\"integer\",\"maximum\":50}").initial().next("5".getBytes(StandardCharsets.UTF_8));
        assertTrue(n.accepting());
        assertFalse(n.terminal()); // 50 may still come
        assertTrue(n.next('0').terminal());
        assertNull(n.next('1')); // 51 is out of bounds
    }

    @Test
    void statesHaveValueEquality() {
        Grammar g = schema("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"string\"}},\"required\":[\"a\",\"b\"]}");
        MatchState x = g.initial().next("{\"a\":\"hello".getBytes(StandardCharsets.UTF_8));
        MatchState y = g.initial().next("{\"a\":\"world".getBytes(StandardCharsets.UTF_8));
        assertEquals(x, y);
        assertEquals(x.hashCode(), y.hashCode());
        assertFalse(x.equals(g.initial().next("{\"a\":\"x\",\"b\":\"y".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void everyNumberPrefixCanBeCompleted() {
        // walk every byte path of up to 7 characters: each admitted state reaches an accepting one
        for (String schema : List.of("{\"type\":\"number\",\"minimum\":-1.5,\"maximum\":2.25}", "{\"type\":\"integer\",\"exclusiveMinimum\":99,\"maximum\":1000}",
                "{\"type\":\"number\",\"exclusiveMinimum\":0.001,\"exclusiveMaximum\":0.002}")) {
            Grammar g = schema(schema);
            explore(g.initial(), 0, schema);
        }
    }

    private static void explore(MatchState s, int depth, String schema) {
        if (depth == 7) return;
        boolean alive = s.accepting();
        for (int b : "-0123456789.".getBytes(StandardCharsets.US_ASCII)) {
            MatchState n = s.next(b);
            if (n != null) {
                alive = true;
                explore(n, depth + 1, schema);
            }
        }
        assertTrue(alive, () -> "dead end in " + schema + " at " + s);
    }

    static Stream<List<String>> invalidSchemas() {
        return Stream.of(
                List.of("{\"type\":\"string\",\"pattern\":\"^a\"}", "pattern"),
                List.of("{\"type\":\"string\",\"format\":\"date-time\"}", "format"),
                List.of("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"strng\"}}}", "properties.a.type"),
                List.of("{\"type\":\"object\",\"properties\":{\"age\":{\"type\":\"integer\",\"minimum\":10,\"maximum\":5}}}", "properties.age.minimum"),
                List.of("{\"type\":\"string\",\"minLength\":4,\"maxLength\":3}", "minLength"),
                List.of("{\"type\":\"array\",\"minItems\":4,\"maxItems\":3}", "minItems"),
                List.of("{\"oneOf\":[{\"type\":\"string\"}]}", "oneOf"),
                List.of("{\"$defs\":{\"N\":{\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#/$defs/N\"}},\"required\":[\"next\"]}},\"$ref\":\"#/$defs/N\"}", "$defs.N.properties.next.$ref"),
                List.of("{\"type\":\"array\",\"items\":{\"$ref\":\"#\"},\"minItems\":1}", "items.$ref"),
                List.of("{\"$ref\":\"#/$defs/Missing\"}", "$ref"),
                List.of("{\"type\":\"object\",\"patternProperties\":{\"^x\":{}}}", "patternProperties"),
                List.of("{\"type\":\"integer\",\"exclusiveMinimum\":true}", "exclusiveMinimum"),
                List.of("{\"enum\":[]}", "enum"),
                List.of("{\"type\":\"string\",\"enum\":[1,2]}", "enum"),
                List.of("{\"type\":\"number\",\"minimum\":1e30}", "minimum"),
                List.of("[1]", ""));
    }

    @ParameterizedTest
    @MethodSource("invalidSchemas")
    void invalidSchemasNameTheProblem(List<String> c) throws Exception {
        SchemaException e = assertThrows(SchemaException.class, () -> Grammar.jsonSchema(JSON.readTree(c.get(0)), false));
        assertEquals(c.get(1), e.path(), e.getMessage());
    }

    @Test
    void strictModeNeedsClosedObjectsWithEveryPropertyRequired() throws Exception {
        JsonNode open = JSON.readTree("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\"]}");
        assertEquals("additionalProperties", assertThrows(SchemaException.class, () -> Grammar.jsonSchema(open, true)).path());
        JsonNode optional = JSON.readTree("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"type\":\"string\"}},\"required\":[\"a\"],\"additionalProperties\":false}");
        SchemaException e = assertThrows(SchemaException.class, () -> Grammar.jsonSchema(optional, true));
        assertEquals("required", e.path());
        assertTrue(e.getMessage().contains("'b'"), e.getMessage());
        Grammar.jsonSchema(JSON.readTree("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\"],\"additionalProperties\":false}"), true);
    }
}
