package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.vane.engine.constrain.Grammar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Path;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Structured output on the bundled demo model: each of the schemas of
 * {@code structured/schemas.json} (flat and nested objects, arrays, enums, bounded numbers, required
 * and optional fields, anyOf, $defs) asked for with {@code response_format: json_schema} at
 * temperature 1, five seeded choices per request ({@code n: 5}), and every choice's content must
 * validate against its schema with an independent validator (networknt json-schema-validator,
 * draft 2020-12): with 200 tokens, where the model ends nearly every choice by itself
 * ({@code stop}), and with a budget as small as the schema's shortest document, where the budget
 * ends them ({@code length}) and the constraint still completes each document.
 */
class StructuredOutputSuiteTest {
    @TempDir
    static Path tmp;
    private static VaneServer server;
    private static TestServer t;
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    @BeforeAll
    static void start() {
        ServerSettings s = TestServer.demo(tmp.resolve("registry"));
        server = Main.start(s);
        t = TestServer.wrap(server, s);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static List<JsonNode> schemas() throws Exception {
        try (InputStream in = StructuredOutputSuiteTest.class.getResourceAsStream("/structured/schemas.json")) {
            List<JsonNode> out = new ArrayList<>();
            TestServer.JSON.readTree(in).forEach(out::add);
            return out;
        }
    }

    /** The request for one schema: five seeded choices at temperature 1, at most 200 tokens each. */
    static String request(JsonNode entry, long seed) {
        return request(entry, seed, 200);
    }

    static String request(JsonNode entry, long seed, int maxTokens) {
        ObjectNode body = TestServer.JSON.createObjectNode();
        body.putArray("messages").addObject().put("role", "user")
                .put("content", "Describe a " + entry.get("name").asText() + " as JSON.");
        ObjectNode js = body.putObject("response_format").put("type", "json_schema").putObject("json_schema");
        js.put("name", entry.get("name").asText().replace(' ', '_')).put("strict", entry.get("strict").asBoolean());
        js.set("schema", entry.get("schema"));
        body.put("temperature", 1.0).put("seed", seed).put("n", 5).put("max_tokens", maxTokens);
        return body.toString();
    }

    /** Steering works alongside: a bundled profile's interventions run on constrained rows, which stay valid. */
    @Test
    void steeredChoicesAreValidToo() throws Exception {
        JsonNode entry = schemas().stream().filter(e -> e.get("name").asText().equals("order")).findFirst().orElseThrow();
        Schema validator = REGISTRY.getSchema(entry.get("schema").toString(), InputFormat.JSON);
        for (String profile : List.of("romance", "uppercase")) {
            ObjectNode body = (ObjectNode) TestServer.read(request(entry, 7));
            body.putObject("vane").put("profile", profile);
            JsonNode r = t.ok("/v1/chat/completions", body.toString());
            assertEquals(profile, r.get("vane").get("profile").asText());
            assertTrue(r.get("vane").get("applied").size() > 0, r.toString());
            for (JsonNode c : r.get("choices")) {
                String content = c.get("message").get("content").asText();
                assertEquals("stop", c.get("finish_reason").asText(), content);
                assertEquals(List.of(), validator.validate(content, InputFormat.JSON), content);
            }
        }
    }

    /**
     * 56 schemas × 5 choices of at most 200 tokens: every choice validates, and at least 95% end by
     * themselves ({@code stop}); one the budget ended ({@code length}) is complete all the same.
     */
    @Test
    void everyChoiceOfEverySchemaIsValidJson() throws Exception {
        List<JsonNode> schemas = schemas();
        assertTrue(schemas.size() >= 50, "at least 50 schemas, got " + schemas.size());
        Suite suite = run(schemas, entry -> 200);
        System.out.printf("structured output suite: %d schemas x 5 choices, %d tokens in %.1f s, %d ended by the budget%n",
                schemas.size(), suite.tokens, suite.seconds, suite.ended.get("length"));
        assertEquals(List.of(), suite.failures);
        assertTrue(suite.ended.get("length") <= schemas.size() * 5 / 20, "ended by the budget: " + suite.ended);
    }

    /**
     * Each schema with {@code max_tokens} as small as its shortest document's bytes: the budget ends
     * most choices, and each is still a complete, valid document.
     */
    @Test
    void aBudgetAsSmallAsTheShortestDocumentStillEndsEveryChoiceWithAValidOne() throws Exception {
        List<JsonNode> schemas = schemas();
        Suite suite = run(schemas, entry -> Grammar.jsonSchema(entry.get("schema"), entry.get("strict").asBoolean()).shortestDocumentBytes());
        System.out.printf("structured output suite at the shortest documents' budgets: %d tokens, ended %s%n", suite.tokens, suite.ended);
        assertEquals(List.of(), suite.failures);
        assertTrue(suite.ended.get("length") >= schemas.size() * 5 / 2, "ended by the budget: " + suite.ended);
    }

    /** What a run of the suite found: failures by choice, finish reasons counted, tokens and time. */
    private record Suite(List<String> failures, java.util.Map<String, Integer> ended, int tokens, double seconds) {}

    private static Suite run(List<JsonNode> schemas, java.util.function.ToIntFunction<JsonNode> maxTokens) throws Exception {
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        java.util.Map<String, Integer> ended = new java.util.concurrent.ConcurrentHashMap<>(java.util.Map.of("stop", 0, "length", 0));
        long t0 = System.nanoTime();
        java.util.concurrent.atomic.AtomicInteger tokens = new java.util.concurrent.atomic.AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < schemas.size(); i++) {
                JsonNode entry = schemas.get(i);
                long seed = 1000 + i;
                done.add(pool.submit(() -> {
                    Schema validator = REGISTRY.getSchema(entry.get("schema").toString(), InputFormat.JSON);
                    HttpResponse<String> r = t.post("/v1/chat/completions", request(entry, seed, maxTokens.applyAsInt(entry)));
                    if (r.statusCode() != 200) {
                        failures.add(entry.get("name").asText() + ": HTTP " + r.statusCode() + " " + r.body());
                        return;
                    }
                    JsonNode body = TestServer.read(r.body());
                    tokens.addAndGet(body.get("usage").get("completion_tokens").asInt());
                    for (JsonNode c : body.get("choices")) {
                        String content = c.get("message").get("content").asText();
                        String reason = c.get("finish_reason").asText();
                        String what = entry.get("name").asText() + " choice " + c.get("index").asInt() + " (" + reason + ") " + content;
                        if (!ended.containsKey(reason)) {
                            failures.add(what + ": finish_reason " + reason);
                            continue;
                        }
                        ended.merge(reason, 1, Integer::sum);
                        List<Error> errors;
                        try {
                            TestServer.JSON.readTree(content);
                            errors = validator.validate(content, InputFormat.JSON);
                        } catch (Exception e) {
                            failures.add(what + ": not JSON: " + e.getMessage());
                            continue;
                        }
                        if (!errors.isEmpty()) failures.add(what + ": " + errors);
                    }
                }));
            }
            for (Future<?> f : done) f.get();
        }
        return new Suite(failures, ended, tokens.get(), (System.nanoTime() - t0) / 1e9);
    }
}
