package dev.vane.lab.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.attention.AttentionKind;
import dev.vane.attention.AttentionOptions;
import dev.vane.attention.LengthScale;
import dev.vane.attention.SoftmaxAlgorithm;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.model.AttentionChoice;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code vane eval attention} on a tiny random model: the row's shape, the same tokens at every length, the variant run. */
class AttentionEvalTest {

    private static Path model(Path dir, AttentionKind kind) throws Exception {
        FixtureWriter.write(Preset.TINY_LLAMA3_VOCAB.config().withAttention(kind), FileDType.F32, 3, dir);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json"))
            try (InputStream in = AttentionEvalTest.class.getResourceAsStream("/tokenizers/llama3/" + f)) {
                Files.copy(in, dir.resolve(f));
            }
        return dir;
    }

    private static Path data(Path dir) throws Exception {
        Files.createDirectories(dir);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 60; i++)
            b.append("Document ").append(i).append(": the quick brown fox jumps over the lazy dog near the river bank.\n<|doc|>\n");
        Files.writeString(dir.resolve("valid.txt"), b);
        Files.writeString(dir.resolve("test.txt"), b.toString().replace("fox", "cat"));
        return dir;
    }

    private static JsonNode run(AttentionEval.Options o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AttentionEval.run(o, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new ObjectMapper().readTree(bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void oneLineWithLossAndPassKeysAtEveryMultiple(@TempDir Path tmp) throws Exception {
        Path m = model(tmp.resolve("m"), new AttentionKind.Softplus(16, 1)), d = data(tmp.resolve("d"));
        JsonNode row = run(new AttentionEval.Options(m, d, "LSSA", AttentionChoice.DEFAULT, 16, List.of(1, 2, 4), 256, 2, "test"));
        assertThat(row.get("label").asText()).isEqualTo("LSSA");
        assertThat(row.get("kernel").asText()).isEqualTo("lssa");
        assertThat(row.get("results")).hasSize(3);
        for (JsonNode r : row.get("results")) {
            assertThat(r.get("windows").asInt()).isEqualTo(4); // 256 tokens / 64 per region
            assertThat(r.get("loss_regions")).hasSize(4);
            assertThat(r.get("loss").asDouble()).isBetween(r.get("loss_low").asDouble(), r.get("loss_high").asDouble());
            assertThat(r.get("passkey_docs").asInt()).isEqualTo(2);
        }
        assertThat(row.at("/results/2/length").asInt()).isEqualTo(64);
    }

    @Test
    void atTheLongestContextOnlyTheVariantChangesTheLoss(@TempDir Path tmp) throws Exception {
        Path m = model(tmp.resolve("m"), AttentionKind.SOFTMAX), d = data(tmp.resolve("d"));
        AttentionChoice logN = AttentionChoice.of(new AttentionOptions(SoftmaxAlgorithm.REFERENCE, new LengthScale.LogN(16)));
        JsonNode plain = run(new AttentionEval.Options(m, d, "softmax", AttentionChoice.DEFAULT, 16, List.of(1, 4), 256, 0, "valid"));
        JsonNode scaled = run(new AttentionEval.Options(m, d, "log-n", logN, 16, List.of(1, 4), 256, 0, "valid"));
        // at 1× every query sees at most 16 keys: log-n scaling is the identity there
        assertThat(scaled.at("/results/0/loss").asDouble()).isEqualTo(plain.at("/results/0/loss").asDouble());
        assertThat(scaled.at("/results/1/loss").asDouble()).isNotEqualTo(plain.at("/results/1/loss").asDouble());
        assertThat(scaled.get("kernel").asText()).isEqualTo("softmax_logn");
    }

    @Test
    void multiplesMustDivideTheLargest(@TempDir Path tmp) throws Exception {
        Path m = model(tmp.resolve("m"), AttentionKind.SOFTMAX), d = data(tmp.resolve("d"));
        assertThatThrownBy(() -> run(new AttentionEval.Options(m, d, "x", AttentionChoice.DEFAULT, 16, List.of(3, 4), 256, 0, "valid")))
                .hasMessageContaining("multiples must divide");
    }
}
