package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
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
 * end with {@code stop} and validate against its schema with an independent validator
 * (networknt json-schema-validator, draft 2020-12).
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

    /** The request for one schema: five seeded choices at temperature 1. */
    static String request(JsonNode entry, long seed) {
        ObjectNode body = TestServer.JSON.createObjectNode();
        body.putArray("messages").addObject().put("role", "user")
                .put("content", "Describe a " + entry.get("name").asText() + " as JSON.");
        ObjectNode js = body.putObject("response_format").put("type", "json_schema").putObject("json_schema");
        js.put("name", entry.get("name").asText().replace(' ', '_')).put("strict", entry.get("strict").asBoolean());
        js.set("schema", entry.get("schema"));
        body.put("temperature", 1.0).put("seed", seed).put("n", 5).put("max_tokens", 200);
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

    @Test
    void everyChoiceOfEverySchemaIsValidJson() throws Exception {
        List<JsonNode> schemas = schemas();
        assertTrue(schemas.size() >= 50, "at least 50 schemas, got " + schemas.size());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        int[] tokens = new int[1];
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < schemas.size(); i++) {
                JsonNode entry = schemas.get(i);
                long seed = 1000 + i;
                done.add(pool.submit(() -> {
                    Schema validator = REGISTRY.getSchema(entry.get("schema").toString(), InputFormat.JSON);
                    HttpResponse<String> r = t.post("/v1/chat/completions", request(entry, seed));
                    if (r.statusCode() != 200) {
                        failures.add(entry.get("name").asText() + ": HTTP " + r.statusCode() + " " + r.body());
                        return;
                    }
                    JsonNode body = TestServer.read(r.body());
                    synchronized (tokens) {
                        tokens[0] += body.get("usage").get("completion_tokens").asInt();
                    }
                    for (JsonNode c : body.get("choices")) {
                        String content = c.get("message").get("content").asText();
                        String what = entry.get("name").asText() + " choice " + c.get("index").asInt() + " " + content;
                        if (!c.get("finish_reason").asText().equals("stop")) {
                            failures.add(what + ": finish_reason " + c.get("finish_reason").asText());
                            continue;
                        }
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
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("structured output suite: %d schemas x 5 choices, %d tokens in %.1f s%n", schemas.size(), tokens[0], seconds);
        assertEquals(List.of(), failures);
    }
}
