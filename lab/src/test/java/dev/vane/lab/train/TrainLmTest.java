package dev.vane.lab.train;

import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@code train lm} command end to end on a tiny slice: text in, servable checkpoint out, resumable. */
class TrainLmTest {

    @Test
    void trainsFromTextAndResumes(@TempDir Path tmp) throws Exception {
        Path tok = llama3Tokenizer(tmp);
        String text = "The cat sat on the mat. The dog sat on the log. ".repeat(40);
        Files.writeString(tmp.resolve("train.txt"), text);
        Files.writeString(tmp.resolve("valid.txt"), text.substring(0, 400));
        Path out = tmp.resolve("model");
        assertEquals(2, TrainLm.run(options(tok, tmp, out, 2)).size());
        List<Trainer.Point> rest = TrainLm.run(options(tok, tmp, out, 4));
        assertEquals(List.of(3, 4), rest.stream().map(Trainer.Point::step).toList());
        assertThat(Files.exists(out.resolve("tokenizer.json"))).isTrue();
        ModelLoader.loadTensor(out, ComputeDType.F32, 16).close();
        assertThrows(IllegalArgumentException.class, () -> TrainLm.run(new TrainLm.Options(tok, tmp.resolve("absent.txt"),
                tmp.resolve("valid.txt"), out, 1, 32, 2, 1, 64, options(tok, tmp, out, 4).config(), 4, Optional.empty())));
    }

    /**
     * A one-layer model of width 32 trained 4 steps of 2 sequences of 16 tokens, validated and
     * checkpointed every 2 steps, stopping after {@code until}: what {@code vane train lm --layers 1
     * --hidden 32 --heads 2 --kv-heads 1 --intermediate 64 --context 16 --steps 4 --batch 2 --warmup 1
     * --eval-every 2 --eval-batches 1 --checkpoint-every 2} gives (cli's TrainLmCommandTest).
     */
    static TrainLm.Options options(Path tok, Path tmp, Path out, int until) {
        TrainConfig cfg = new TrainConfig(4, 2, 16, 3e-3, 0.1, 1, 0.1, 1.0, 2, 1, 2, 0);
        return new TrainLm.Options(tok, tmp.resolve("train.txt"), tmp.resolve("valid.txt"), out, 1, 32, 2, 1, 64, cfg, until,
                Optional.empty());
    }

    @Test
    void trainsWithAnotherAttentionKernelAndKeepsItOnResume(@TempDir Path tmp) throws Exception {
        Path tok = llama3Tokenizer(tmp);
        String text = "The cat sat on the mat. The dog sat on the log. ".repeat(40);
        Files.writeString(tmp.resolve("train.txt"), text);
        Files.writeString(tmp.resolve("valid.txt"), text.substring(0, 400));
        Path out = tmp.resolve("model");
        dev.vane.attention.AttentionKind lssar = new dev.vane.attention.AttentionKind.Softplus(16, 2);
        TrainLm.Options o = options(tok, tmp, out, 2);
        List<Trainer.Point> points = TrainLm.run(new TrainLm.Options(o.tokenizer(), o.train(), o.valid(), out, 1, 32, 2, 1, 64,
                o.config(), 2, Optional.empty(), Optional.of(lssar)));
        assertThat(points).hasSize(2);
        assertThat(points.get(1).trainLoss()).isFinite();
        assertThat(dev.vane.engine.config.HfConfig.read(out).attention()).isEqualTo(lssar);
        try (var model = ModelLoader.loadTensor(out, ComputeDType.F32, 16)) {
            assertThat(model.attentionTime().kernel()).isEqualTo("lssar");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainLm.run(new TrainLm.Options(o.tokenizer(),
                o.train(), o.valid(), out, 1, 32, 2, 1, 64, o.config(), 4, Optional.empty(),
                Optional.of(dev.vane.attention.AttentionKind.SOFTMAX))));
        assertThat(e).hasMessageContaining("--attention").hasMessageContaining("created with");
    }

    @Test
    void anotherCorpusIsTokenisedEvenWhenItsFileIsOlderThanTheCache(@TempDir Path tmp) throws Exception {
        try (dev.vane.engine.tokenizer.Tokenizer tok = dev.vane.engine.tokenizer.Tokenizer.load(llama3Tokenizer(tmp))) {
            Path older = Files.writeString(tmp.resolve("older.txt"), "Zebras graze quietly under the hot afternoon sun near the slow brown river.");
            Files.setLastModifiedTime(older, java.nio.file.attribute.FileTime.fromMillis(0));
            Path first = Files.writeString(tmp.resolve("first.txt"), "The cat sat on the mat.");
            Path cacheDir = tmp.resolve("data");
            Files.createDirectories(cacheDir);
            var a = TrainLm.tokens(tok, first, cacheDir, "train", java.util.Optional.empty());
            var again = TrainLm.tokens(tok, first, cacheDir, "train", java.util.Optional.empty());
            var b = TrainLm.tokens(tok, older, cacheDir, "train", java.util.Optional.empty());
            assertEquals(a.size(), again.size());
            assertThat(b.size()).isEqualTo(tok.encode("Zebras graze quietly under the hot afternoon sun near the slow brown river.", false).length);
            assertThat(b.size()).isNotEqualTo(a.size());
            try (var files = Files.list(cacheDir)) {
                assertEquals(2, files.count()); // one cache per corpus file
            }
        }
    }

    /** The Llama 3 tokenizer files of the engine's test resources, copied into {@code tmp/tok}. */
    private Path llama3Tokenizer(Path tmp) throws Exception {
        Path tok = tmp.resolve("tok");
        Files.createDirectories(tok);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json"))
            try (InputStream in = getClass().getResourceAsStream("/tokenizers/llama3/" + f)) {
                Files.copy(in, tok.resolve(f));
            }
        return tok;
    }
}
