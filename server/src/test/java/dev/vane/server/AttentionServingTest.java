package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.attention.AttentionKind;
import dev.vane.attention.AttentionOptions;
import dev.vane.attention.LengthScale;
import dev.vane.attention.SoftmaxAlgorithm;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.model.AttentionChoice;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Models of every attention kind served end to end on the Java decoder: a completion, the
 * kernel's time in {@code vane_attention_step_seconds}, and the refusal of a kernel the
 * checkpoint was not trained with.
 */
class AttentionServingTest {

    private static Path model(AttentionKind kind) throws Exception {
        Path dir = Files.createTempDirectory("vane-attention-" + kind.id());
        FixtureWriter.write(Preset.TINY_LLAMA3_VOCAB.config().withAttention(kind), FileDType.F16, 5, dir);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json"))
            Files.copy(Path.of("../engine/src/test/resources/tokenizers/llama3", f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    private static void servesAndCounts(Path dir, AttentionChoice choice, String kernel) {
        ServerSettings s = ServerSettings.defaults(dir).withPort(0).withEngine(ComputeDType.F16, 1, 2, 256).withAttention(choice);
        try (VaneServer server = Main.start(s)) {
            TestServer api = TestServer.wrap(server, s);
            HttpResponse<String> r = api.post("/v1/completions", "{\"prompt\": \"The old town\", \"max_tokens\": 5, \"temperature\": 0}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode body = TestServer.read(r.body());
            assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(5);
            double steps = api.metric("vane_attention_step_seconds_count{kernel=\"" + kernel + "\"}");
            assertThat(steps).as("steps counted for " + kernel).isGreaterThanOrEqualTo(5);
            assertThat(api.metric("vane_attention_step_seconds_sum{kernel=\"" + kernel + "\"}")).isPositive();
        }
    }

    @Test
    void everyKindServesAndReportsItsAttentionTime() throws Exception {
        servesAndCounts(model(new AttentionKind.Softplus(64, 1)), AttentionChoice.DEFAULT, "lssa");
        servesAndCounts(model(new AttentionKind.Softplus(64, 3)), AttentionChoice.DEFAULT, "lssar");
        servesAndCounts(model(AttentionKind.Sigmoid.forLength(64)), AttentionChoice.DEFAULT, "sigmoid");
        servesAndCounts(model(AttentionKind.SOFTMAX), AttentionChoice.of(new AttentionOptions(SoftmaxAlgorithm.TWO_PASS, new LengthScale.LogN(16))),
                "softmax_logn_two_pass");
    }

    @Test
    void aKernelTheCheckpointWasNotTrainedWithIsRefusedAtStartUnlessForced() throws Exception {
        Path dir = model(new AttentionKind.Softplus(64, 1));
        AttentionChoice softmax = new AttentionChoice(Optional.of(AttentionKind.SOFTMAX), false, AttentionOptions.DEFAULT);
        ServerSettings s = ServerSettings.defaults(dir).withPort(0).withEngine(ComputeDType.F16, 1, 2, 256).withAttention(softmax);
        assertThatThrownBy(() -> Main.start(s).close()).hasMessageContaining("trained with lssa").hasMessageContaining("--force-attention");
        servesAndCounts(dir, new AttentionChoice(Optional.of(AttentionKind.SOFTMAX), true, AttentionOptions.DEFAULT), "softmax");
    }

    private static String completion(TestServer api, String prompt, String attention) {
        String vane = attention == null ? "" : ", \"vane\": {\"attention\": " + attention + "}";
        HttpResponse<String> r = api.post("/v1/completions", "{\"prompt\": \"" + prompt + "\", \"max_tokens\": 12, \"temperature\": 0" + vane + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    @Test
    void aRequestChoosesItsOwnSoftmaxOptionsWithoutTouchingItsNeighbours() throws Exception {
        Path dir = model(AttentionKind.SOFTMAX);
        ServerSettings s = ServerSettings.defaults(dir).withPort(0).withEngine(ComputeDType.F16, 2, 4, 256);
        try (VaneServer server = Main.start(s)) {
            TestServer api = TestServer.wrap(server, s);
            String prompt = "Tell me about the old town and the river that runs through it";
            String alone = TestServer.read(completion(api, prompt, null)).at("/choices/0/text").asText();
            // the same function computed another way: the same greedy text, and the trace says what ran
            JsonNode online = TestServer.read(completion(api, prompt, "{\"algorithm\": \"two_pass\"}"));
            assertThat(online.at("/choices/0/text").asText()).isEqualTo(alone);
            assertThat(online.at("/vane/attention/kernel").asText()).isEqualTo("softmax_two_pass");
            assertThat(online.at("/vane/attention/log_n").asBoolean(true)).isFalse();
            assertThat(api.metric("vane_attention_step_seconds_count{kernel=\"softmax_two_pass\"}")).isGreaterThanOrEqualTo(12);
            // log-n scaling from a training length of 2 changes every row of 3 or more keys
            JsonNode scaled = TestServer.read(completion(api, prompt, "{\"log_n\": 2}"));
            assertThat(scaled.at("/vane/attention/kernel").asText()).isEqualTo("softmax_logn");
            assertThat(scaled.at("/vane/attention/log_n").asInt()).isEqualTo(2);
            String scaledText = scaled.at("/choices/0/text").asText();
            assertThat(scaledText).as("log-n scaling changes this model's greedy text").isNotEqualTo(alone);
            // both at once in one batch: each row gets its own kernel
            var plain = java.util.concurrent.CompletableFuture.supplyAsync(() -> completion(api, prompt, null));
            var other = java.util.concurrent.CompletableFuture.supplyAsync(() -> completion(api, prompt, "{\"log_n\": 2}"));
            assertThat(TestServer.read(plain.get()).at("/choices/0/text").asText()).isEqualTo(alone);
            assertThat(TestServer.read(other.get()).at("/choices/0/text").asText()).isEqualTo(scaledText);
            assertThat(TestServer.read(plain.get()).has("vane")).as("an unchanged request reports nothing").isFalse();
        }
    }

    @Test
    void aModelTrainedWithAnotherKernelRefusesSoftmaxOptionsPerRequest() throws Exception {
        Path dir = model(new AttentionKind.Softplus(64, 1));
        ServerSettings s = ServerSettings.defaults(dir).withPort(0).withEngine(ComputeDType.F16, 1, 2, 256);
        try (VaneServer server = Main.start(s)) {
            TestServer api = TestServer.wrap(server, s);
            JsonNode err = TestServer.assertError(api.post("/v1/completions",
                    "{\"prompt\": \"x\", \"max_tokens\": 2, \"vane\": {\"attention\": {\"log_n\": 64}}}"), 400, "vane.attention");
            assertThat(err.get("message").asText()).contains("this model's attention is lssa");
            completion(api, "still serving", null);
        }
    }

    @Test
    void theFlagsParseAndNameTheSettingOnBadValues() {
        AttentionChoice c = ServerSettings.attention("lssar:256:2.5", true, "two-pass", "off");
        assertThat(c.kind()).contains(new AttentionKind.Softplus(256, 2.5));
        assertThat(c.force()).isTrue();
        assertThat(c.options().algorithm()).isEqualTo(SoftmaxAlgorithm.TWO_PASS);
        assertThat(ServerSettings.attention("auto", false, "online", "4096").options().length()).isEqualTo(new LengthScale.LogN(4096));
        assertThatThrownBy(() -> ServerSettings.attention("cosine", false, "reference", "off")).hasMessageStartingWith("attention must be");
        assertThatThrownBy(() -> ServerSettings.attention("lssar:256", false, "reference", "off")).hasMessageStartingWith("attention must be");
        assertThatThrownBy(() -> ServerSettings.attention("auto", false, "fast", "off")).hasMessageStartingWith("attention-algorithm must be");
        assertThatThrownBy(() -> ServerSettings.attention("auto", false, "reference", "1")).hasMessageStartingWith("attention-log-n must be");
        assertThatThrownBy(() -> ServerSettings.attention("auto", false, "reference", "x")).hasMessageStartingWith("attention-log-n must be");
    }
}
