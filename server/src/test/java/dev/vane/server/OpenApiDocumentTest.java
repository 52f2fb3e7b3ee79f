package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.attention.SoftmaxAlgorithm;
import dev.vane.engine.config.Architecture;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.generate.FinishReason;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.model.ComputeDType;
import dev.vane.steering.artifact.ArtifactKind;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.VectorSet;
import dev.vane.steering.gguf.ControlVectors;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.Method;
import dev.vane.steering.plan.PhaseScope;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The OpenAPI document at {@code GET /openapi} against the server that serves it: it validates with
 * swagger-parser; it documents exactly the routes the server registers, public and admin; every
 * operation answers its errors in the error shape; its request schemas have exactly the fields the
 * code accepts and its enums the code's values; and the server's real answers, JSON and streams,
 * public and admin, satisfy the schemas it gives for them.
 */
class OpenApiDocumentTest {

    private static final String TOKEN = "openapi-test-admin-token-0123";
    /** The statuses of docs/server.md's error table: each is a reusable response of the document. */
    private static final Set<Integer> ERROR_STATUSES = Set.of(400, 401, 404, 408, 409, 413, 414, 415, 429, 431, 500, 501, 503,
            505, 507);
    /** What any request can get before a route runs (framing, limits, timeouts), on every operation. */
    private static final Set<String> CONNECTION_ERRORS = Set.of("400", "408", "414", "431", "501", "503", "505");

    private static VaneServer server;
    private static TestServer t;
    private static HttpResponse<String> served;
    private static OpenApiDocument doc;

    @BeforeAll
    static void start() throws IOException {
        Path model = TestServer.modelDir("vane-openapi-model", true);
        ServerSettings s = ServerSettings.defaults(model).withPort(0).withEngine(ComputeDType.F16, 2, 4, 256)
                .withAdmin(new ServerSettings.Admin(Files.createTempDirectory("vane-openapi-registry"), 0, Optional.of(TOKEN),
                        1 << 20, Optional.empty()));
        server = Main.start(s);
        t = TestServer.wrap(server, s);
        served = t.get("/openapi");
        doc = OpenApiDocument.parse(served.body());
        // an artifact and a profile using it, so that listings and traces have entries
        Path gguf = Files.createTempFile("vane-openapi-cv", ".gguf");
        ControlVectors.exportGguf(vectors(), "llama", gguf);
        assertEquals(201, admin("POST", "/admin/artifacts/shift?format=gguf", "application/octet-stream",
                HttpRequest.BodyPublishers.ofFile(gguf), TOKEN).statusCode());
        assertEquals(201, admin("POST", "/admin/profiles",
                "{\"name\": \"shifted\", \"interventions\": [{\"kind\": \"vector\", \"artifact\": \"shift\", \"scale\": 0.5}]}").statusCode());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theDocumentIsServedAsYamlAndValidates() {
        assertEquals(200, served.statusCode());
        assertThat(served.headers().firstValue("content-type").orElse("")).startsWith("application/yaml");
        assertThat(doc.messages).as("swagger-parser's messages").isEmpty();
        assertThat(doc.api.getOpenapi()).isEqualTo("3.0.3");
    }

    @Test
    void everyRouteTheServerRegistersIsDocumentedAndNoOther() {
        Set<Route> registered = new HashSet<>(server.routes());
        assertThat(registered).as("the recorder saw both listeners")
                .contains(new Route(Route.Listener.PUBLIC, Route.Method.POST, "/v1/completions"),
                        new Route(Route.Listener.ADMIN, Route.Method.DELETE, "/admin/profiles/{name}"));
        Set<Route> documented = doc.operations().stream().map(OpenApiDocument.Op::route).collect(Collectors.toSet());
        assertThat(minus(registered, documented)).as("routes the server registers that /openapi lacks").isEmpty();
        assertThat(minus(documented, registered)).as("routes /openapi documents that the server does not serve").isEmpty();
    }

    @Test
    void everyOperationAnswersItsErrorsInTheErrorShape() {
        Set<Integer> used = new TreeSet<>();
        for (OpenApiDocument.Op op : doc.operations()) {
            Map<String, ApiResponse> responses = op.operation().getResponses();
            assertThat(responses.keySet()).as("%s answers what any request can get", op.route()).containsAll(CONNECTION_ERRORS);
            responses.forEach((status, r) -> {
                if (status.startsWith("2")) return;
                used.add(Integer.parseInt(status));
                ApiResponse resolved = doc.response(r);
                assertThat(resolved.getContent()).as("%s %s has a body", op.route(), status).isNotNull();
                assertThat(resolved.getContent().keySet()).as("%s %s", op.route(), status).containsExactly("application/json");
                assertThat(doc.refersTo(resolved.getContent().get("application/json").getSchema(), "Error"))
                        .as("%s %s refers to the Error schema", op.route(), status).isTrue();
            });
            if (BearerAuth.guardsApi(op.route().path()))
                assertThat(responses).as("%s needs the API key when one is set", op.route()).containsKey("401");
        }
        assertThat(used).as("every status of docs/server.md's error table").containsAll(ERROR_STATUSES);
        ApiResponse queueFull = doc.response(doc.operation(Route.Method.POST, "/v1/completions").operation().getResponses().get("429"));
        assertThat(queueFull.getHeaders()).as("429 carries Retry-After").containsKey("Retry-After");
        assertThat(doc.header(queueFull.getHeaders().get("Retry-After")).getRequired()).isTrue();
    }

    @Test
    void adminRoutesAreDocumentedOnTheAdminPortWithTheToken() {
        for (OpenApiDocument.Op op : doc.operations()) {
            List<SecurityRequirement> security = op.operation().getSecurity();
            if (op.route().listener() == Route.Listener.ADMIN) {
                assertThat(op.operation().getDescription()).as("%s", op.route()).contains("admin port");
                assertThat(security).as("%s", op.route()).containsExactly(new SecurityRequirement().addList("adminToken"));
                assertThat(doc.api.getPaths().get(op.route().path()).getServers()).as("%s", op.route())
                        .singleElement().satisfies(s -> assertThat(s.getUrl()).endsWith(":8081"));
                assertThat(op.operation().getResponses()).as("%s", op.route()).containsKey("401");
            } else if (BearerAuth.guardsApi(op.route().path())) {
                assertThat(security).as("%s: the API key, when the server has one", op.route())
                        .containsExactly(new SecurityRequirement(), new SecurityRequirement().addList("apiKey"));
            } else {
                assertThat(security).as("%s stays open", op.route()).isNull();
            }
        }
        assertThat(doc.api.getSecurity()).isNullOrEmpty();
    }

    /** Adding a key to the vane object, or to any request object, without documenting it fails here. */
    @Test
    void requestSchemasHaveExactlyTheFieldsTheCodeAccepts() {
        Map<String, Set<String>> accepted = Map.ofEntries(
                Map.entry("VaneOptions", VaneOptions.KEYS),
                Map.entry("VectorIntervention", InterventionJson.VECTOR_KEYS),
                Map.entry("ControllerIntervention", InterventionJson.CONTROLLER_KEYS),
                Map.entry("GactIntervention", InterventionJson.GACT_KEYS),
                Map.entry("TaskIntervention", InterventionJson.TASK_KEYS),
                Map.entry("LayerSkip", InterventionJson.LAYER_SKIP_KEYS),
                Map.entry("LayerSkipOff", Set.of("mode")),
                Map.entry("AttentionOptions", AttentionRequest.KEYS),
                Map.entry("BeaconOptions", Set.of("ratio")),
                Map.entry("CompletionRequest", CompletionFormat.FIELDS),
                Map.entry("ChatCompletionRequest", ChatFormat.FIELDS),
                Map.entry("ChatMessage", ChatPrompt.MESSAGE_FIELDS),
                Map.entry("GenerateRequest", NativeRequest.FIELDS),
                Map.entry("EmbeddingRequest", EmbeddingsService.FIELDS),
                Map.entry("TokenizeRequest", TokenizeService.TOKENIZE_FIELDS),
                Map.entry("DetokenizeRequest", TokenizeService.DETOKENIZE_FIELDS),
                Map.entry("Tool", Set.of("type", "function")),
                Map.entry("ResponseFormat", Set.of("type", "json_schema")),
                Map.entry("SteeringUpdate", SteeringAdminService.STEERING_FIELDS),
                Map.entry("Profile", SteeringAdminService.PROFILE_FIELDS),
                Map.entry("ProfileBody", SteeringAdminService.PROFILE_FIELDS),
                Map.entry("ArtifactUpload", ArtifactAdminService.ARTIFACT_FIELDS),
                Map.entry("RefineRequest", ArtifactAdminService.REFINE_FIELDS),
                Map.entry("RefineExample", ArtifactAdminService.EXAMPLE_FIELDS));
        accepted.forEach((schema, keys) -> {
            assertThat(doc.properties(schema)).as("the %s schema's properties", schema).containsExactlyInAnyOrderElementsOf(keys);
            assertThat(doc.schema(schema).getAdditionalProperties()).as("%s refuses other keys", schema).isEqualTo(false);
        });
        for (String field : SamplingFields.NAMES)
            for (String schema : List.of("CompletionRequest", "ChatCompletionRequest", "GenerateRequest"))
                assertThat(doc.refersTo(doc.schema(schema).getProperties().get(field), upperCamel(field)))
                        .as("%s.%s is the shared sampling field", schema, field).isTrue();
        assertThat(doc.schema("Intervention").getDiscriminator().getMapping().keySet()).as("the intervention kinds")
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(Method.values()).filter(m -> m != Method.LAYER_SKIP)
                        .map(Method::jsonName).toList());
    }

    @Test
    void enumsAreTheCodesValues() {
        assertEnum("Phase", null, PhaseScope.values(), PhaseScope::jsonName);
        assertEnum("VectorIntervention", "site", InterventionSpec.VectorSite.values(), InterventionSpec.VectorSite::jsonName);
        assertEnum("AppliedIntervention", "site", InterventionSpec.VectorSite.values(), InterventionSpec.VectorSite::jsonName);
        assertEnum("ControllerIntervention", "mode", InterventionSpec.ControllerMode.values(), InterventionSpec.ControllerMode::jsonName);
        assertEnum("GactIntervention", "select", InterventionSpec.GactSelect.values(), InterventionSpec.GactSelect::jsonName);
        assertEnum("LayerSkip", "mode", InterventionSpec.SkipMode.values(), InterventionSpec.SkipMode::jsonName);
        assertEnum("ArtifactKind", null, ArtifactKind.values(), ArtifactKind::jsonName);
        assertEnum("Site", null, Component.values(), c -> c.name().toLowerCase(Locale.ROOT));
        // the reasons a choice ends normally; the others answer an error
        assertEnum("FinishReason", null, Arrays.stream(FinishReason.values())
                .filter(r -> ChoiceBatch.failure(r, Optional.empty()).isEmpty()).toArray(FinishReason[]::new), FinishReason::wireName);
        Schema<?> fingerprint = (Schema<?>) doc.schema("Manifest").getProperties().get("fingerprint");
        assertThat(OpenApiDocument.enumValues((Schema<?>) fingerprint.getProperties().get("architecture")))
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(Architecture.values()).map(ModelFingerprint::name).toList());
        assertThat(OpenApiDocument.enumValues((Schema<?>) doc.schema("AttentionOptions").getProperties().get("algorithm")))
                .containsAll(Arrays.stream(SoftmaxAlgorithm.values()).map(SoftmaxAlgorithm::id).toList());
    }

    @Test
    void publicAnswersHaveTheDocumentedShapes() {
        checked(Route.Method.GET, "/v1/models", t.get("/v1/models"));
        checked(Route.Method.GET, "/health/live", t.get("/health/live"));
        checked(Route.Method.GET, "/health/ready", t.get("/health/ready"));
        checked(Route.Method.GET, "/metrics", t.get("/metrics"));
        checked(Route.Method.GET, "/", t.get("/"));
        checked(Route.Method.GET, "/playground/{file}", t.get("/playground/app.js"));
        checked(Route.Method.GET, "/playground/{file}", t.get("/playground/style.css"));
        checked(Route.Method.GET, "/openapi", served);
        JsonNode interventions = checked(Route.Method.GET, "/v1/interventions", t.get("/v1/interventions"));
        assertThat(interventions.get("profiles")).isNotEmpty();
        assertThat(interventions.get("artifacts")).isNotEmpty();

        JsonNode completion = checked(Route.Method.POST, "/v1/completions", t.post("/v1/completions",
                "{\"prompt\": [\"Hello\", \"Bye\"], \"n\": 2, \"max_tokens\": 3, \"logprobs\": 2, \"vane\": {\"profile\": \"shifted\","
                        + " \"trace\": true, \"layer_skip\": {\"mode\": \"exit\"}, \"attention\": {\"algorithm\": \"online\", \"log_n\": 64}}}"));
        assertThat(completion.get("vane").get("applied").findValuesAsText("kind")).as("what the plan applied")
                .contains("vector", "layer_skip");
        assertThat(completion.get("vane").has("attention")).isTrue();
        checked(Route.Method.POST, "/v1/completions", t.post("/v1/completions",
                "{\"prompt\": [[1, 2, 3]], \"max_tokens\": 2, \"vane\": {\"layer_skip\": {\"mode\": \"skip-set\", \"q\": 0.25}}}"));
        JsonNode chat = checked(Route.Method.POST, "/v1/chat/completions", t.post("/v1/chat/completions",
                "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\":"
                        + " [{\"type\": \"text\", \"text\": \"Hi\"}]}], \"max_tokens\": 3, \"logprobs\": true, \"top_logprobs\": 2,"
                        + " \"vane\": {\"trace\": true, \"interventions\": [{\"kind\": \"vector\", \"artifact\": \"shift\", \"layers\": [0, 1]}]}}"));
        assertThat(chat.get("choices").get(0).get("logprobs").get("content")).isNotEmpty();
        JsonNode generation = checked(Route.Method.POST, "/v1/generate", t.post("/v1/generate",
                "{\"prompt\": \"Hello\", \"max_tokens\": 3, \"logprobs\": 2, \"vane\": {\"trace\": true, \"layer_skip\": {\"mode\": \"readout\"}}}"));
        assertThat(generation.get("logprobs")).hasSize(3);

        JsonNode echoed = checked(Route.Method.POST, "/v1/completions", t.post("/v1/completions",
                "{\"prompt\": \"Hello there\", \"max_tokens\": 1, \"logprobs\": 1, \"echo\": true, \"best_of\": 2, \"logit_bias\": {\"5\": 1.5},"
                        + " \"min_tokens\": 1, \"skip_special_tokens\": false, \"include_stop_str_in_output\": true}"));
        assertThat(echoed.get("choices").get(0).get("logprobs").get("token_logprobs").get(0).isNull()).isTrue();
        JsonNode tokenized = checked(Route.Method.POST, "/tokenize", t.post("/tokenize",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hel\"}],"
                        + " \"continue_final_message\": true, \"return_token_strs\": true}"));
        checked(Route.Method.POST, "/detokenize", t.post("/detokenize", "{\"tokens\": " + tokenized.get("tokens") + "}"));
        checked(Route.Method.GET, "/version", t.get("/version"));
        checked(Route.Method.POST, "/v1/embeddings", t.post("/v1/embeddings", "{\"input\": [\"Hi\", \"Bye\"], \"pooling\": \"mean\","
                + " \"vane\": {\"trace\": true, \"interventions\": [{\"kind\": \"vector\", \"artifact\": \"shift\", \"layers\": [0, 1]}]}}"));
        checked(Route.Method.POST, "/v1/embeddings", t.post("/v1/embeddings", "{\"input\": \"Hi\", \"encoding_format\": \"base64\"}"));
        checked(Route.Method.POST, "/v1/embeddings", t.post("/v1/embeddings", "{\"input\": \"Hi\", \"pooling\": \"max\"}"));
        checked(Route.Method.POST, "/tokenize", t.post("/tokenize", "{}"));
        checked(Route.Method.POST, "/v1/chat/completions", t.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                + " \"max_tokens\": 30, \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\", \"strict\": true,"
                + " \"schema\": {\"type\": \"object\", \"properties\": {\"ok\": {\"type\": \"boolean\"}}, \"required\": [\"ok\"], \"additionalProperties\": false}}}}"));
        JsonNode called = checked(Route.Method.POST, "/v1/chat/completions", t.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                + " \"max_tokens\": 30, \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"ping\", \"parameters\": {\"type\": \"object\","
                + " \"properties\": {}, \"additionalProperties\": false}}}], \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"ping\"}}}"));
        assertThat(called.get("choices").get(0).get("message").get("tool_calls")).hasSize(1);
        checked(Route.Method.POST, "/v1/chat/completions", t.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                + " \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"schema\": {\"type\": \"string\", \"pattern\": \"a+\"}}}}"));
        checked(Route.Method.POST, "/v1/completions", t.post("/v1/completions", "{\"prompt\": \"Hi\", \"temperature\": -1}"));
        checked(Route.Method.POST, "/v1/completions", t.post("/v1/completions", "{\"prompt\": \"Hi\", \"vane\": {\"profile\": \"absent\"}}"));
        checked(Route.Method.POST, "/v1/chat/completions", t.post("/v1/chat/completions", "{\"model\": \"other\", \"messages\": []}"));
        checked(Route.Method.POST, "/v1/generate", t.post("/v1/generate", "text/plain", "{\"prompt\": \"Hi\"}"));
        checked(Route.Method.POST, "/v1/generate", t.post("/v1/generate", "{\"prompt\": \"" + "long ".repeat(400) + "\"}"));
        checked(Route.Method.GET, "/playground/{file}", t.get("/playground/other.js"));
        HttpResponse<String> noRoute = t.get("/v1/none");
        assertEquals(404, noRoute.statusCode());
        doc.check(TestServer.read(noRoute.body()), doc.schema("Error"), "$");
    }

    @Test
    void streamsHaveTheDocumentedShapes() {
        List<JsonNode> completion = checkedStream(Route.Method.POST, "/v1/completions", t.post("/v1/completions",
                "{\"prompt\": \"Hello\", \"n\": 2, \"max_tokens\": 3, \"logprobs\": 1, \"stream\": true, \"stream_options\":"
                        + " {\"include_usage\": true}, \"vane\": {\"profile\": \"shifted\", \"trace\": true, \"layer_skip\": {\"mode\": \"trace\"}}}"));
        assertThat(completion.getLast().get("vane")).isNotNull();
        List<JsonNode> chat = checkedStream(Route.Method.POST, "/v1/chat/completions", t.post("/v1/chat/completions",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"max_tokens\": 3, \"logprobs\": true,"
                        + " \"top_logprobs\": 1, \"stream\": true, \"stream_options\": {\"include_usage\": true}, \"vane\": {\"trace\": true}}"));
        assertThat(chat.getLast().get("usage").get("completion_tokens").asInt()).isEqualTo(3);
        List<JsonNode> generation = checkedStream(Route.Method.POST, "/v1/generate", t.post("/v1/generate",
                "{\"prompt\": [1, 2, 3], \"max_tokens\": 3, \"logprobs\": 1, \"stream\": true}"));
        assertThat(generation.getLast().has("finish_reason")).isTrue();
    }

    @Test
    void adminAnswersHaveTheDocumentedShapes() throws IOException {
        checked(Route.Method.GET, "/admin/status", admin("GET", "/admin/status", null));
        checked(Route.Method.GET, "/admin/status", admin("GET", "/admin/status", null, HttpRequest.BodyPublishers.noBody(), null));
        checked(Route.Method.GET, "/admin/steering", admin("GET", "/admin/steering", null));
        checked(Route.Method.PUT, "/admin/steering", admin("PUT", "/admin/steering", "{\"enabled\": true}"));
        checked(Route.Method.PUT, "/admin/steering", admin("PUT", "/admin/steering", "{\"default_profile\": \"absent\"}"));
        checked(Route.Method.PUT, "/admin/layer-skip", admin("PUT", "/admin/layer-skip", "{\"mode\": \"trace\", \"alpha\": 0.5}"));
        checked(Route.Method.GET, "/admin/layer-skip", admin("GET", "/admin/layer-skip", null));
        checked(Route.Method.PUT, "/admin/layer-skip", admin("PUT", "/admin/layer-skip", "{\"mode\": \"off\"}"));
        checked(Route.Method.GET, "/admin/layer-skip", admin("GET", "/admin/layer-skip", null));
        checked(Route.Method.POST, "/admin/profiles", admin("POST", "/admin/profiles", "{\"name\": \"plain\", \"interventions\": []}"));
        checked(Route.Method.PUT, "/admin/profiles/{name}", admin("PUT", "/admin/profiles/plain",
                "{\"interventions\": [{\"kind\": \"vector\", \"artifact\": \"shift\", \"layers\": 1, \"phase\": \"generation\"}]}"));
        checked(Route.Method.GET, "/admin/profiles", admin("GET", "/admin/profiles", null));
        checked(Route.Method.GET, "/admin/profiles/{name}", admin("GET", "/admin/profiles/plain", null));
        checked(Route.Method.DELETE, "/admin/profiles/{name}", admin("DELETE", "/admin/profiles/plain", null));
        checked(Route.Method.GET, "/admin/profiles/{name}", admin("GET", "/admin/profiles/plain", null));

        Path gguf = Files.createTempFile("vane-openapi-cv", ".gguf");
        ControlVectors.exportGguf(vectors(), "llama", gguf);
        checked(Route.Method.PUT, "/admin/artifacts/{name}", admin("PUT", "/admin/artifacts/spare?format=gguf",
                "application/octet-stream", HttpRequest.BodyPublishers.ofFile(gguf), TOKEN));
        checked(Route.Method.POST, "/admin/artifacts/{name}", admin("POST", "/admin/artifacts/spare?format=gguf",
                "application/octet-stream", HttpRequest.BodyPublishers.ofFile(gguf), TOKEN));
        checked(Route.Method.POST, "/admin/artifacts/{name}", admin("POST", "/admin/artifacts/spare", "text/plain",
                HttpRequest.BodyPublishers.ofString("{}"), TOKEN));
        checked(Route.Method.GET, "/admin/artifacts", admin("GET", "/admin/artifacts", null));
        checked(Route.Method.GET, "/admin/artifacts/{name}", admin("GET", "/admin/artifacts/spare", null));
        checked(Route.Method.DELETE, "/admin/artifacts/{name}", admin("DELETE", "/admin/artifacts/shift", null));
        checked(Route.Method.DELETE, "/admin/artifacts/{name}", admin("DELETE", "/admin/artifacts/spare", null));
        checked(Route.Method.GET, "/admin/artifacts/{name}", admin("GET", "/admin/artifacts/spare", null));
        checked(Route.Method.POST, "/admin/artifacts/{name}/refine", admin("POST", "/admin/artifacts/spare/refine",
                "{\"examples\": [{\"prompt\": \"a\", \"cluster\": 0}]}"));
        checked(Route.Method.POST, "/admin/artifacts/{name}/refine", admin("POST", "/admin/artifacts/shift/refine",
                "{\"examples\": [{\"prompt\": \"a\", \"cluster\": 0}], \"steps\": 0}"));
    }

    // --- helpers -----------------------------------------------------------------------------------

    /**
     * Checks that the document gives the answer's status and media type for the operation and that
     * a JSON body satisfies the schema it gives; returns the body (null when not JSON).
     */
    private static JsonNode checked(Route.Method method, String path, HttpResponse<String> r) {
        String type = mediaType(r);
        if (r.statusCode() == 204) {
            assertThat(doc.operation(method, path).operation().getResponses()).as("%s %s", method, path).containsKey("204");
            return null;
        }
        Schema<?> schema = doc.body(method, path, r.statusCode(), type);
        if (!type.equals("application/json")) return null;
        JsonNode body = TestServer.read(r.body());
        doc.check(body, schema, method + " " + path + " " + r.statusCode() + ": $");
        return body;
    }

    /** {@link #checked} for a stream: every event against the schema of the operation's text/event-stream body. */
    private static List<JsonNode> checkedStream(Route.Method method, String path, HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        Schema<?> schema = doc.body(method, path, 200, mediaType(r));
        List<JsonNode> events = TestServer.events(r.body());
        for (int i = 0; i < events.size(); i++) doc.check(events.get(i), schema, method + " " + path + " event " + i + ": $");
        return events;
    }

    private static String mediaType(HttpResponse<String> r) {
        return r.headers().firstValue("content-type").orElse("").split(";")[0].trim();
    }

    private static <T> void assertEnum(String schema, String property, T[] values, Function<T, String> name) {
        Schema<?> s = property == null ? doc.schema(schema) : doc.schema((Schema<?>) doc.schema(schema).getProperties().get(property));
        assertThat(OpenApiDocument.enumValues(s)).as("%s%s", schema, property == null ? "" : "." + property)
                .containsExactlyInAnyOrderElementsOf(Stream.of(values).map(name).toList());
    }

    /** The routes of {@code a} that {@code b} lacks, as sorted text. */
    private static List<String> minus(Set<Route> a, Set<Route> b) {
        return a.stream().filter(r -> !b.contains(r)).map(Route::toString).sorted().toList();
    }

    /** {@code top_p} → {@code TopP}: the component schema of a shared field. */
    private static String upperCamel(String field) {
        return Arrays.stream(field.split("_")).map(w -> Character.toUpperCase(w.charAt(0)) + w.substring(1)).collect(Collectors.joining());
    }

    /** A vector set with one direction, at layer 1 (llama.cpp's format has no slot for layer 0). */
    private static VectorSet vectors() {
        var c = Preset.TINY_LLAMA3_VOCAB.config();
        float[][] dirs = new float[c.numLayers()][];
        dirs[1] = new float[c.hiddenSize()];
        Arrays.fill(dirs[1], 0.01f);
        return new VectorSet(Component.RESID_POST, c.hiddenSize(), dirs);
    }

    private static HttpResponse<String> admin(String method, String path, String type, HttpRequest.BodyPublisher body, String token) {
        return TestServer.admin(server, token, method, path, type, body);
    }

    private static HttpResponse<String> admin(String method, String path, String json) {
        return TestServer.admin(server, TOKEN, method, path, json);
    }
}
