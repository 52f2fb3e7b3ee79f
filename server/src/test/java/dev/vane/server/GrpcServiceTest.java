package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.Component;
import dev.vane.server.grpc.v1.ChatMessage;
import dev.vane.server.grpc.v1.ChatRequest;
import dev.vane.server.grpc.v1.GenerateRequest;
import dev.vane.server.grpc.v1.GenerateResponse;
import dev.vane.server.grpc.v1.GenerateStreamResponse;
import dev.vane.server.grpc.v1.GenerationGrpc;
import dev.vane.server.grpc.v1.Intervention;
import dev.vane.server.grpc.v1.LayerSkip;
import dev.vane.server.grpc.v1.ListModelsRequest;
import dev.vane.server.grpc.v1.TokenIds;
import dev.vane.server.grpc.v1.TokenizeRequest;
import dev.vane.server.grpc.v1.VaneOptions;
import dev.vane.steering.artifact.VectorSet;
import dev.vane.steering.gguf.ControlVectors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code vane.v1.Generation} through grpc-java's generated stubs against a running server (tiny
 * Llama, f16 on the Java kernels, whose batched rows equal solo runs bit for bit), compared with the
 * REST route {@code /v1/generate} on the same server.
 */
class GrpcServiceTest {

    private static final String TOKEN = "grpc-test-admin-token-0123";
    private static final String PROMPT = "The quick brown fox";
    private static VaneServer server;
    private static TestServer t;
    private static FaultyEngine engine;
    private static ManagedChannel channel;
    private static GenerationGrpc.GenerationBlockingStub blocking;
    /** One thread per client call, so that calls meant to run together do. */
    private static final java.util.concurrent.ExecutorService CLIENTS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void start() throws IOException {
        Path model = TestServer.modelDir("vane-grpc-model", true);
        ServerSettings s = ServerSettings.defaults(model).withPort(0).withGrpcPort(0).withEngine(ComputeDType.F16, 2, 8, 256)
                .withAdmin(new ServerSettings.Admin(Files.createTempDirectory("vane-grpc-registry"), 0, Optional.of(TOKEN), 1 << 20,
                        Optional.empty()));
        FaultyEngine[] ref = new FaultyEngine[1];
        server = Main.start(s, e -> ref[0] = new FaultyEngine(e));
        engine = ref[0];
        t = TestServer.wrap(server, s);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort().getAsInt()).usePlaintext().build();
        blocking = GenerationGrpc.newBlockingStub(channel);
        // a vector for block 1 of the model, uploaded through the admin API as a GGUF control vector
        var c = Preset.TINY_LLAMA3_VOCAB.config();
        float[][] dirs = new float[c.numLayers()][];
        dirs[1] = new float[c.hiddenSize()];
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < dirs[1].length; i++) dirs[1][i] = (float) (r.nextDouble() * 2 - 1);
        Path gguf = Files.createTempFile("vane-grpc-cv", ".gguf");
        ControlVectors.exportGguf(new VectorSet(Component.RESID_POST, c.hiddenSize(), dirs), "llama", gguf);
        HttpResponse<String> up = TestServer.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort().getAsInt()
                        + "/admin/artifacts/shift?format=gguf")).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofFile(gguf)).build());
        assertEquals(201, up.statusCode(), up.body());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    private static GenerateRequest.Builder greedy(String prompt, int maxTokens) {
        return GenerateRequest.newBuilder().setText(prompt).setMaxTokens(maxTokens).setTemperature(0);
    }

    private static VaneOptions steered() {
        return VaneOptions.newBuilder().addInterventions(Intervention.newBuilder().setKind("vector").setArtifact("shift")
                .setScale(8).addLayers(1).addLayers(1)).build();
    }

    private static JsonNode rest(String prompt, int maxTokens, String vane) {
        return t.ok("/v1/generate", "{\"prompt\": " + TestServer.JSON.valueToTree(prompt) + ", \"max_tokens\": " + maxTokens
                + ", \"temperature\": 0" + (vane == null ? "" : ", \"vane\": " + vane) + "}");
    }

    private static List<Integer> ids(JsonNode rest) {
        List<Integer> out = new ArrayList<>();
        rest.get("token_ids").forEach(n -> out.add(n.asInt()));
        return out;
    }

    /** The tokens and the final message of a stream. */
    private record Streamed(List<Integer> tokens, String text, GenerateStreamResponse last) {}

    private static Streamed stream(GenerateRequest request) {
        List<Integer> tokens = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        GenerateStreamResponse last = null;
        for (Iterator<GenerateStreamResponse> it = blocking.generateStream(request); it.hasNext(); ) {
            last = it.next();
            if (last.hasToken()) {
                tokens.add(last.getToken().getToken());
                text.append(last.getToken().getText());
            } else text.append(last.getFinal().getText());
        }
        return new Streamed(tokens, text.toString(), last);
    }

    @Test
    void unaryAndStreamingEqualRestTokenForTokenWithAndWithoutSteering() {
        String vaneJson = "{\"interventions\": [{\"kind\": \"vector\", \"artifact\": \"shift\", \"scale\": 8, \"layers\": [1, 1]}]}";
        JsonNode plainRest = rest(PROMPT, 16, null), steeredRest = rest(PROMPT, 16, vaneJson);
        assertThat(ids(steeredRest)).as("the vector changes the greedy tokens").isNotEqualTo(ids(plainRest));
        for (boolean steer : new boolean[] {false, true}) {
            JsonNode expected = steer ? steeredRest : plainRest;
            GenerateRequest.Builder req = greedy(PROMPT, 16);
            if (steer) req.setVane(steered());
            GenerateResponse unary = blocking.generate(req.build());
            assertThat(unary.getTokenIdsList()).as("unary, steered=%s", steer).isEqualTo(ids(expected));
            assertThat(unary.getText()).isEqualTo(expected.get("text").asText());
            assertThat(unary.getFinishReason()).isEqualTo(expected.get("finish_reason").asText());
            assertThat(unary.getUsage().getCompletionTokens()).isEqualTo(16);
            assertThat(unary.hasSteering()).as("the applied-steering report").isEqualTo(steer);
            if (steer) assertThat(unary.getSteering().toString()).contains("shift");

            Streamed s = stream(req.build());
            assertThat(s.tokens()).as("stream, steered=%s", steer).isEqualTo(ids(expected));
            assertThat(s.text()).isEqualTo(expected.get("text").asText());
            assertThat(s.last().hasFinal()).isTrue();
            assertThat(s.last().getFinal().getFinishReason()).isEqualTo("length");
            assertThat(s.last().getFinal().getUsage().getTotalTokens()).isEqualTo(unary.getUsage().getTotalTokens());
            assertThat(s.last().getFinal().hasSteering()).isEqualTo(steer);
        }
        // token ids as the prompt, and layer skipping as a typed message, as REST reads them
        List<Integer> tokenized = blocking.tokenize(TokenizeRequest.newBuilder().setText(PROMPT).build()).getTokenIdsList();
        GenerateRequest byIds = GenerateRequest.newBuilder().setTokenIds(TokenIds.newBuilder().addAllIds(tokenized))
                .setMaxTokens(16).setTemperature(0).build();
        assertThat(blocking.generate(byIds).getTokenIdsList()).isEqualTo(ids(plainRest));
        GenerateRequest skipping = greedy(PROMPT, 8).setVane(VaneOptions.newBuilder()
                .setLayerSkip(LayerSkip.newBuilder().setMode("exit").setAlpha(0.8)).setTrace(true)).build();
        JsonNode skippingRest = rest(PROMPT, 8, "{\"layer_skip\": {\"mode\": \"exit\", \"alpha\": 0.8}, \"trace\": true}");
        assertThat(blocking.generate(skipping).getTokenIdsList()).isEqualTo(ids(skippingRest));
        // the sampling extras under REST's names
        GenerateRequest biased = greedy(PROMPT, 3).putLogitBias(1000, 100f).setMinTokens(2).setSkipSpecialTokens(false).build();
        assertThat(blocking.generate(biased).getTokenIdsList()).containsExactly(1000, 1000, 1000);
    }

    @Test
    void chatRendersTheConversationWithTheTemplateAsTheRestChatRouteDoes() {
        JsonNode expected = t.ok("/v1/chat/completions", "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                + " {\"role\": \"user\", \"content\": \"Tell me about the old town.\"}], \"max_tokens\": 12, \"temperature\": 0}");
        ChatRequest request = ChatRequest.newBuilder()
                .addMessages(ChatMessage.newBuilder().setRole("system").setContent("Be brief."))
                .addMessages(ChatMessage.newBuilder().setRole("user").setContent("Tell me about the old town."))
                .setMaxTokens(12).setTemperature(0).build();
        GenerateResponse unary = blocking.chat(request);
        assertThat(unary.getText()).isEqualTo(expected.get("choices").get(0).get("message").get("content").asText());
        assertThat(unary.getUsage().getPromptTokens()).isEqualTo(expected.get("usage").get("prompt_tokens").asInt());
        assertThat(unary.getUsage().getCompletionTokens()).isEqualTo(expected.get("usage").get("completion_tokens").asInt());
        StringBuilder streamed = new StringBuilder();
        List<Integer> tokens = new ArrayList<>();
        blocking.chatStream(request).forEachRemaining(m -> {
            if (m.hasToken()) {
                tokens.add(m.getToken().getToken());
                streamed.append(m.getToken().getText());
            } else streamed.append(m.getFinal().getText());
        });
        assertThat(tokens).isEqualTo(unary.getTokenIdsList());
        assertThat(streamed.toString()).isEqualTo(unary.getText());
        ChatRequest continued = request.toBuilder().addMessages(ChatMessage.newBuilder().setRole("assistant").setContent("The old town"))
                .setContinueFinalMessage(true).setChatTemplateKwargs(com.google.protobuf.Struct.newBuilder()
                        .putFields("bos_token", com.google.protobuf.Value.newBuilder().setStringValue("Hi").build())).build();
        JsonNode continuedRest = t.ok("/v1/chat/completions", "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                + " {\"role\": \"user\", \"content\": \"Tell me about the old town.\"}, {\"role\": \"assistant\", \"content\": \"The old town\"}],"
                + " \"continue_final_message\": true, \"chat_template_kwargs\": {\"bos_token\": \"Hi\"}, \"max_tokens\": 12, \"temperature\": 0}");
        GenerateResponse c = blocking.chat(continued);
        assertThat(c.getText()).isEqualTo(continuedRest.get("choices").get(0).get("message").get("content").asText());
        assertThat(c.getUsage().getPromptTokens()).isEqualTo(continuedRest.get("usage").get("prompt_tokens").asInt())
                .isNotEqualTo(unary.getUsage().getPromptTokens());
        assertThatThrownBy(() -> blocking.chat(request.toBuilder().addMessages(ChatMessage.newBuilder().setRole("wizard")
                .setContent("x")).build())).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains("messages[2].role");
        });
    }

    @Test
    void eightConcurrentStreamsEqualEightSequentialRuns() throws Exception {
        List<GenerateRequest> requests = new ArrayList<>();
        for (int i = 0; i < 8; i++)
            requests.add(GenerateRequest.newBuilder().setText(PROMPT + " number " + i).setMaxTokens(24)
                    .setTemperature(0.9).setSeed(100 + i).build());
        List<Streamed> sequential = new ArrayList<>();
        for (GenerateRequest r : requests) sequential.add(stream(r));
        List<CompletableFuture<Streamed>> concurrent = new ArrayList<>();
        for (GenerateRequest r : requests) concurrent.add(CompletableFuture.supplyAsync(() -> stream(r), CLIENTS));
        for (int i = 0; i < 8; i++) {
            Streamed c = concurrent.get(i).get(60, TimeUnit.SECONDS);
            assertThat(c.tokens()).as("stream %d", i).isEqualTo(sequential.get(i).tokens());
            assertThat(c.text()).isEqualTo(sequential.get(i).text());
        }
    }

    @Test
    void aCancelledStreamFreesItsSlot() throws Exception {
        double cancelledBefore = finished("cancelled");
        engine.parkAt(10);
        CountDownLatch firstToken = new CountDownLatch(1), closed = new CountDownLatch(1);
        ClientCallStreamObserver<?>[] call = new ClientCallStreamObserver<?>[1];
        GenerationGrpc.newStub(channel).generateStream(greedy(PROMPT, 200).build(),
                new ClientResponseObserver<GenerateRequest, GenerateStreamResponse>() {
                    @Override public void beforeStart(ClientCallStreamObserver<GenerateRequest> c) { call[0] = c; }
                    @Override public void onNext(GenerateStreamResponse value) { firstToken.countDown(); }
                    @Override public void onError(Throwable t) { closed.countDown(); }
                    @Override public void onCompleted() { closed.countDown(); }
                });
        assertTrue(firstToken.await(60, TimeUnit.SECONDS), "a first token");
        engine.awaitParked();
        call[0].cancel("the client leaves", null);
        engine.release();
        assertTrue(closed.await(60, TimeUnit.SECONDS));
        TestServer.await("the slot freed", () -> metric("vane_requests_running") == 0 && finished("cancelled") == cancelledBefore + 1);
    }

    @Test
    void aDeadlineEndsALongGenerationWithDeadlineExceeded() throws Exception {
        double cancelledBefore = finished("cancelled");
        engine.parkAt(12);
        CompletableFuture<Status.Code> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                blocking.withDeadlineAfter(1500, TimeUnit.MILLISECONDS).generate(greedy(PROMPT, 200).build());
                return Status.Code.OK;
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode();
            }
        }, CLIENTS);
        engine.awaitParked();
        assertThat(outcome.get(60, TimeUnit.SECONDS)).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        engine.release();
        TestServer.await("the sequence stopped and freed its slot",
                () -> metric("vane_requests_running") == 0 && finished("cancelled") == cancelledBefore + 1);
    }

    @Test
    void errorsMapToStatusCodesNamingTheField() throws Exception {
        assertStatus(greedy(PROMPT, 4).setTemperature(-1), Status.Code.INVALID_ARGUMENT, "temperature");
        assertStatus(GenerateRequest.newBuilder().setMaxTokens(4), Status.Code.INVALID_ARGUMENT, "prompt");
        assertStatus(greedy(PROMPT, 4).setVane(VaneOptions.newBuilder().addInterventions(Intervention.newBuilder()
                .setKind("vector"))), Status.Code.INVALID_ARGUMENT, "vane.interventions[0].artifact");
        assertStatus(greedy(PROMPT, 4).setVane(VaneOptions.newBuilder().addInterventions(Intervention.newBuilder()
                .setKind("vector").setArtifact("no-such-artifact"))), Status.Code.NOT_FOUND, "no-such-artifact");
        assertStatus(greedy(PROMPT, 4).setVane(VaneOptions.newBuilder().setProfile("no-such-profile")), Status.Code.NOT_FOUND,
                "vane.profile");
        assertStatus(greedy(PROMPT, 4).setModel("another-model"), Status.Code.NOT_FOUND, "another-model");
        TokenIds.Builder long_ = TokenIds.newBuilder();
        for (int i = 0; i < 300; i++) long_.addIds(5);
        assertStatus(GenerateRequest.newBuilder().setTokenIds(long_).setMaxTokens(4), Status.Code.OUT_OF_RANGE, "prompt");
        // a full queue: with admission held, the queue takes 64 plus the 8 free slots' worth; one more is refused
        try (var hold = engine.scheduler().holdAdmission()) {
            List<CompletableFuture<GenerateResponse>> waiting = new ArrayList<>();
            for (int i = 0; i < 72; i++)
                waiting.add(CompletableFuture.supplyAsync(() -> blocking.generate(greedy(PROMPT, 2).build()), CLIENTS));
            TestServer.await("the queue full", () -> server.engine().stats().waiting() == 72);
            assertStatus(greedy(PROMPT, 2), Status.Code.RESOURCE_EXHAUSTED, null);
            hold.close();
            for (var w : waiting) assertThat(w.get(60, TimeUnit.SECONDS).getUsage().getCompletionTokens()).isEqualTo(2);
        }
    }

    private static void assertStatus(GenerateRequest.Builder request, Status.Code code, String named) {
        for (Function<GenerateRequest, Object> call : List.<Function<GenerateRequest, Object>>of(blocking::generate,
                r -> { blocking.generateStream(r).forEachRemaining(m -> { }); return null; })) {
            assertThatThrownBy(() -> call.apply(request.build())).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).as("%s", e.getStatus()).isEqualTo(code);
                if (named != null) assertThat(e.getStatus().getDescription()).contains(named);
            });
        }
    }

    /** An independent client: Node's grpc-js lists the services by reflection and streams a generation. */
    @Test
    void nodeGrpcJsStreamsAndFindsTheServiceByReflection() throws Exception {
        Path node = Path.of("src/test/node");
        assertTrue(Files.isDirectory(node.resolve("node_modules/@grpc/grpc-js")),
                "grpc-js is not installed: run 'npm ci --prefix server/src/test/node' (./vane test does)");
        Process p = new ProcessBuilder("node", "grpc-check.mjs", "127.0.0.1:" + server.grpcPort().getAsInt(),
                Path.of("src/main/proto/vane/v1/generation.proto").toAbsolutePath().toString(), PROMPT, "12")
                .directory(node.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the grpc-js check finished in time");
        assertEquals(0, p.exitValue(), out);
        JsonNode r = TestServer.read(out.strip().lines().reduce((a, b) -> b).orElseThrow());
        List<String> services = new ArrayList<>();
        r.get("services").forEach(n -> services.add(n.asText()));
        assertThat(services).contains("vane.v1.Generation");
        List<Integer> tokens = new ArrayList<>();
        r.get("tokens").forEach(n -> tokens.add(n.asInt()));
        assertThat(tokens).isEqualTo(ids(rest(PROMPT, 12, null)));
        assertThat(r.get("text").asText()).isEqualTo(rest(PROMPT, 12, null).get("text").asText());
        assertThat(r.get("finish_reason").asText()).isEqualTo("length");
        assertThat(r.get("completion_tokens").asInt()).isEqualTo(12);
    }

    @Test
    void healthReflectionAndTheModelList() {
        HealthCheckResponse h = HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.newBuilder()
                .setService("vane.v1.Generation").build());
        assertThat(h.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        List<String> services = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<ServerReflectionRequest> ask = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(
                new StreamObserver<>() {
                    @Override public void onNext(ServerReflectionResponse r) {
                        r.getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName).forEach(services::add);
                    }
                    @Override public void onError(Throwable t) { done.countDown(); }
                    @Override public void onCompleted() { done.countDown(); }
                });
        ask.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        ask.onCompleted();
        try {
            assertTrue(done.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(services).contains("vane.v1.Generation", "grpc.health.v1.Health");
        var models = blocking.listModels(ListModelsRequest.getDefaultInstance());
        assertThat(models.getModels(0).getId()).isEqualTo(t.modelId);
        assertThat(models.getModels(0).getContextLength()).isEqualTo(256);
        // gRPC calls are counted beside the HTTP requests, with a transport tag
        assertThat(metric("vane_request_duration_seconds_count{endpoint=\"list_models\",status=\"OK\",transport=\"grpc\"}"))
                .isGreaterThanOrEqualTo(1);
        assertEquals(200, t.get("/v1/models").statusCode());
        assertThat(metric("vane_request_duration_seconds_count{endpoint=\"models\",status=\"200\",transport=\"http\"}"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void aStoppingServerAnswersUnavailableAndNotServingWhileItsStreamFinishes() throws Exception {
        ServerSettings s = ServerSettings.defaults(TestServer.modelDir("vane-grpc-drain", true)).withPort(0).withGrpcPort(0)
                .withEngine(ComputeDType.F32, 1, 2, 256);
        FaultyEngine[] ref = new FaultyEngine[1];
        VaneServer other = Main.start(s, e -> ref[0] = new FaultyEngine(e));
        ManagedChannel c = ManagedChannelBuilder.forAddress("127.0.0.1", other.grpcPort().getAsInt()).usePlaintext().build();
        try {
            GenerationGrpc.GenerationBlockingStub gen = GenerationGrpc.newBlockingStub(c);
            ref[0].parkAt(10); // the stream stops mid-way until the drain has begun
            CompletableFuture<List<GenerateStreamResponse>> inFlight = CompletableFuture.supplyAsync(() -> {
                List<GenerateStreamResponse> all = new ArrayList<>();
                gen.generateStream(greedy(PROMPT, 20).build()).forEachRemaining(all::add);
                return all;
            }, CLIENTS);
            ref[0].awaitParked();
            Thread stopping = Thread.ofPlatform().start(() -> other.drainAndClose(java.time.Duration.ofSeconds(60)));
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(c);
            TestServer.await("health NOT_SERVING", () ->
                    health.check(HealthCheckRequest.getDefaultInstance()).getStatus() == HealthCheckResponse.ServingStatus.NOT_SERVING);
            assertThatThrownBy(() -> gen.generate(greedy(PROMPT, 2).build())).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.getStatus().getDescription()).contains("shutting down");
            });
            ref[0].release();
            List<GenerateStreamResponse> streamed = inFlight.get(60, TimeUnit.SECONDS);
            assertThat(streamed.get(streamed.size() - 1).getFinal().getFinishReason()).as("the stream ran to its end").isEqualTo("length");
            stopping.join(60_000);
            assertThat(stopping.isAlive()).isFalse();
        } finally {
            c.shutdownNow();
            other.close();
        }
    }

    @Test
    void aTakenGrpcPortIsAUsageErrorNamingTheFlag() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            ServerSettings s = ServerSettings.defaults(TestServer.modelDir("vane-grpc-taken", true)).withPort(0)
                    .withGrpcPort(taken.getLocalPort()).withEngine(ComputeDType.F32, 1, 2, 256);
            assertThatThrownBy(() -> Main.start(s)).isInstanceOf(SettingsException.class)
                    .hasMessageContaining("--grpc-port " + taken.getLocalPort());
        }
    }

    @Test
    void withAnApiKeyAGenerationNeedsTheBearerHeaderAndHealthDoesNot() throws Exception {
        String key = "grpc-test-api-key-0123456789";
        ServerSettings s = ServerSettings.defaults(TestServer.modelDir("vane-grpc-key", true)).withPort(0).withGrpcPort(0)
                .withEngine(ComputeDType.F32, 1, 2, 256).withHttp(ServerSettings.Http.of(64, 10, 30, 60, Optional.of(key)));
        try (VaneServer other = Main.start(s)) {
            ManagedChannel c = ManagedChannelBuilder.forAddress("127.0.0.1", other.grpcPort().getAsInt()).usePlaintext().build();
            try {
                GenerationGrpc.GenerationBlockingStub gen = GenerationGrpc.newBlockingStub(c);
                for (String header : new String[] {null, "Bearer wrong-key", key}) {
                    io.grpc.Metadata m = new io.grpc.Metadata();
                    if (header != null) m.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER), header);
                    assertThatThrownBy(() -> gen.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(m))
                            .generate(greedy(PROMPT, 2).build())).isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
                }
                io.grpc.Metadata ok = new io.grpc.Metadata();
                ok.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
                assertThat(gen.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(ok))
                        .generate(greedy(PROMPT, 2).build()).getUsage().getCompletionTokens()).isEqualTo(2);
                assertThat(HealthGrpc.newBlockingStub(c).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            } finally {
                c.shutdownNow();
            }
        }
    }

    private static double metric(String sample) {
        return TestServer.metricIn(t.get("/metrics").body(), sample);
    }

    private static double finished(String reason) {
        return metric("vane_requests_finished_total{finish_reason=\"" + reason + "\"}");
    }
}
