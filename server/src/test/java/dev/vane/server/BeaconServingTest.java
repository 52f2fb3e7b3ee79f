package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.config.BeaconConfig;
import dev.vane.engine.config.BeaconConfig.Projection;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vane.beacon} end to end: a prompt far beyond the served context runs compressed and the
 * response reports the KV layout; {@code adapt} picks the least compression that fits; bad input
 * and a model without beacon parameters get 400s naming the field.
 */
class BeaconServingTest {

    private static final BeaconConfig SETTINGS = new BeaconConfig(16, List.of(2, 4, 8), 1, EnumSet.of(Projection.Q, Projection.K, Projection.V));
    private static VaneServer server, plain;
    private static TestServer api, plainApi;
    private static io.grpc.ManagedChannel channel;

    private static Path model(Optional<BeaconConfig> beacon) throws Exception {
        Path dir = Files.createTempDirectory("vane-beacon-serving");
        FixtureWriter.write(Preset.TINY_LLAMA3_VOCAB.config().withBeacon(beacon), FileDType.F16, 5, dir);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json"))
            Files.copy(Path.of("../engine/src/test/resources/tokenizers/llama3", f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    @BeforeAll
    static void start() throws Exception {
        ServerSettings s = ServerSettings.defaults(model(Optional.of(SETTINGS))).withPort(0).withGrpcPort(0)
                .withEngine(ComputeDType.F16, 2, 2, 64);
        server = Main.start(s);
        api = TestServer.wrap(server, s);
        channel = io.grpc.ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort().getAsInt()).usePlaintext().build();
        ServerSettings p = ServerSettings.defaults(model(Optional.empty())).withPort(0).withEngine(ComputeDType.F16, 2, 1, 64);
        plain = Main.start(p);
        plainApi = TestServer.wrap(plain, p);
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        server.close();
        plain.close();
    }

    /** A completion request for {@code n} prompt token ids, with {@code vane} (may be empty). */
    private static String request(int n, String vane) {
        String ids = IntStream.range(0, n).mapToObj(i -> String.valueOf(1000 + (i * 37) % 5000)).collect(Collectors.joining(","));
        return "{\"prompt\": [" + ids + "], \"max_tokens\": 5, \"temperature\": 0" + (vane.isEmpty() ? "" : ", \"vane\": " + vane) + "}";
    }

    @Test
    void aPromptBeyondTheContextRunsCompressedAndReportsItsLayout() throws Exception {
        TestServer.assertError(api.post("/v1/completions", request(200, "")), 413, "prompt");
        HttpResponse<String> r = api.post("/v1/completions", request(200, "{\"beacon\": {\"ratio\": 8}}"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = TestServer.read(r.body());
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(5);
        JsonNode b = body.at("/vane/beacon");
        assertThat(b.get("window").asInt()).isEqualTo(16);
        assertThat(b.get("sink").asInt()).isEqualTo(1);
        JsonNode c = b.at("/choices/0");
        assertThat(c.get("ratio").asInt()).isEqualTo(8);
        assertThat(c.get("tokens").asLong()).isEqualTo(204); // 200 prompt tokens and 4 of the 5 generated fed back
        // 12 closed windows: sink 1 + 12·2 beacons; open window: 12 raw tokens + 1 beacon
        assertThat(c.get("segments").toString()).isEqualTo("{\"sink\":1,\"beacons\":24,\"raw_window\":12,\"window_beacons\":1}");
        assertThat(c.get("kv_entries").asLong()).isEqualTo(SETTINGS.entriesAfter(204, 8)).isEqualTo(38);
        TestServer.await("the compression ratio recorded", () -> api.metric("vane_beacon_compression_ratio_count") >= 1);
        assertThat(api.metric("vane_beacon_compression_ratio_max")).isGreaterThanOrEqualTo(204.0 / 38 - 1e-9);
        assertThat(api.metric("vane_sequence_kv_bytes_count")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void adaptPicksTheLeastCompressionThatFits() {
        // 205 tokens in 64 entries: ratio 2 needs 1 + 12·8 + 16 + 8 = 121, ratio 4 needs 69, ratio 8 needs 43
        JsonNode far = TestServer.read(api.post("/v1/completions", request(200, "{\"beacon\": {\"ratio\": \"adapt\"}}")).body());
        assertThat(far.at("/vane/beacon/choices/0/ratio").asInt()).isEqualTo(8);
        // 25 tokens: ratio 2 needs 1 + 8 + 16 + 8 = 33
        JsonNode near = TestServer.read(api.post("/v1/completions", request(20, "{\"beacon\": {\"ratio\": \"adapt\"}}")).body());
        assertThat(near.at("/vane/beacon/choices/0/ratio").asInt()).isEqualTo(2);
    }

    @Test
    void ratioZeroIsTheUncompressedAnswer() {
        JsonNode off = TestServer.read(api.post("/v1/completions", request(30, "{\"beacon\": {\"ratio\": 0}}")).body());
        JsonNode absent = TestServer.read(api.post("/v1/completions", request(30, "")).body());
        assertThat(off.at("/choices/0/text").asText()).isEqualTo(absent.at("/choices/0/text").asText());
        assertThat(off.has("vane")).isFalse();
        JsonNode on = TestServer.read(api.post("/v1/completions", request(30, "{\"beacon\": {\"ratio\": 2}}")).body());
        assertThat(on.at("/vane/beacon/choices/0/ratio").asInt()).isEqualTo(2);
    }

    @Test
    void badBeaconInputIsRefusedNamingTheField() {
        TestServer.assertError(api.post("/v1/completions", request(10, "{\"beacon\": {\"ratio\": 3}}")), 400, "vane.beacon.ratio");
        TestServer.assertError(api.post("/v1/completions", request(10, "{\"beacon\": {\"ratio\": \"fast\"}}")), 400, "vane.beacon.ratio");
        TestServer.assertError(api.post("/v1/completions", request(10, "{\"beacon\": {}}")), 400, "vane.beacon.ratio");
        TestServer.assertError(api.post("/v1/completions", request(10, "{\"beacon\": {\"rate\": 2}}")), 400, "vane.beacon.rate");
        // 32 does not divide the model's window of 16
        TestServer.assertError(api.post("/v1/completions", request(10, "{\"beacon\": {\"ratio\": 32}}")), 400, "vane.beacon.ratio");
        // at ratio 2, 300 tokens need more entries than the context holds
        TestServer.assertError(api.post("/v1/completions", request(300, "{\"beacon\": {\"ratio\": 2}}")), 400, "max_tokens");
        TestServer.assertError(plainApi.post("/v1/completions", request(10, "{\"beacon\": {\"ratio\": 8}}")), 400, "vane.beacon");
        // the server still answers
        assertThat(api.post("/v1/completions", request(10, "")).statusCode()).isEqualTo(200);
    }

    @Test
    void grpcTakesARatioOrAdapt() {
        var stub = dev.vane.server.grpc.v1.GenerationGrpc.newBlockingStub(channel);
        var ids = dev.vane.server.grpc.v1.TokenIds.newBuilder();
        for (int i = 0; i < 200; i++) ids.addIds(1000 + (i * 37) % 5000);
        for (var beacon : List.of(dev.vane.server.grpc.v1.Beacon.newBuilder().setRatio(8).build(),
                dev.vane.server.grpc.v1.Beacon.newBuilder().setAdapt(true).build())) {
            var r = stub.generate(dev.vane.server.grpc.v1.GenerateRequest.newBuilder().setTokenIds(ids).setMaxTokens(5).setTemperature(0)
                    .setVane(dev.vane.server.grpc.v1.VaneOptions.newBuilder().setBeacon(beacon)).build());
            assertThat(r.getUsage().getCompletionTokens()).isEqualTo(5);
            assertThat(r.getSteering().toString()).contains("ratio").contains("kv_entries");
        }
        var both = dev.vane.server.grpc.v1.Beacon.newBuilder().setRatio(8).setAdapt(true).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> stub.generate(dev.vane.server.grpc.v1.GenerateRequest.newBuilder()
                        .setTokenIds(ids).setMaxTokens(5).setVane(dev.vane.server.grpc.v1.VaneOptions.newBuilder().setBeacon(both)).build()))
                .isInstanceOfSatisfying(io.grpc.StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT));
    }
}
