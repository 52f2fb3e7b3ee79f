package dev.vane.lab.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.cli.CliRun;
import dev.vane.cli.CliRun.Result;
import dev.vane.engine.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vane train tokenizer} through the command line. */
class TrainTokenizerTest {
    @TempDir
    Path tmp;

    private static Result run(String... args) {
        return CliRun.run(CliRun.concat(new String[] {"train", "tokenizer"}, args));
    }

    private Path corpusDir() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("corpus"));
        List<String> paragraphs = TrainTestSupport.paragraphs();
        Files.writeString(in.resolve("b.txt"), String.join("\n\n", paragraphs.subList(0, 4)));
        Files.writeString(in.resolve("a.txt"), String.join("\n\n", paragraphs.subList(4, 6)));
        Files.createDirectories(in.resolve("sub"));
        Files.writeString(in.resolve("sub/c.txt"), String.join("\n\n", paragraphs.subList(6, paragraphs.size())));
        Files.writeString(in.resolve("notes.md"), "ignored: ΩΩΩΩ ΩΩΩΩ ΩΩΩΩ ΩΩΩΩ");
        return in;
    }

    @Test
    void trainsFromADirectoryAndWritesALoadableTokenizer() throws Exception {
        Path in = corpusDir();
        Path out = tmp.resolve("out");
        Result r = run("--input", in.toString(), "--vocab-size", "500", "--output", out.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Trained on 3 file(s)"), r.out());
        assertTrue(r.out().contains("Vocabulary 500 tokens (7 special, 256 byte, 237 merges)"), r.out());
        try (Tokenizer t = Tokenizer.load(out)) {
            assertEquals(500, t.vocabSize());
            assertEquals("the river", t.decode(t.encode("the river", true), true));
            assertTrue(t.tokenId("ΩΩ").isEmpty() && t.tokenId("Î©Î©").isEmpty(), "notes.md must be skipped");
        }
        assertEquals(List.of(in.resolve("a.txt"), in.resolve("b.txt"), in.resolve("sub/c.txt")), Corpus.files(List.of(in)));
    }

    @Test
    void sameInputGivesIdenticalFiles() throws Exception {
        Path in = corpusDir();
        Path out1 = tmp.resolve("out1");
        Path out2 = tmp.resolve("out2");
        assertEquals(0, run("--input", in.toString(), "--vocab-size", "600", "--output", out1.toString()).status());
        assertEquals(0, run("--input", in.resolve("sub/c.txt").toString(), in.resolve("b.txt").toString(),
                in.resolve("a.txt").toString(), "--vocab-size", "600", "--output", out2.toString()).status());
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            assertArrayEquals(Files.readAllBytes(out1.resolve(f)), Files.readAllBytes(out2.resolve(f)), f);
        }
    }

    @Test
    void customSpecialTokensAndMinimumFrequency() throws Exception {
        Path in = corpusDir();
        Path out = tmp.resolve("out");
        Result r = run("--input", in.toString(), "--vocab-size", "100000", "--min-frequency", "3", "--output",
                out.toString(), "--special", "<s>,</s>,<pad>,<sys>,<usr>,<bot>,<eot>,<tool>");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("Warning: asked for 100000 tokens"), r.err());
        try (Tokenizer t = Tokenizer.load(out)) {
            assertEquals(OptionalInt.of(0), t.bosTokenId());
            assertEquals(OptionalInt.of(7), t.tokenId("<tool>"));
            assertArrayEquals(new int[] {7}, t.encode("<tool>", false));
            assertEquals("<s><usr>\nhi<eot>\n<bot>\n", t.chatTemplate().orElseThrow()
                    .render(List.of(dev.vane.engine.tokenizer.ChatMessage.user("hi")), true));
        }
    }

    @Test
    void reportsBadInputClearly() throws Exception {
        Path missing = tmp.resolve("missing.txt");
        Path out = tmp.resolve("out");
        Result r = run("--input", missing.toString(), "--vocab-size", "500", "--output", out.toString());
        assertEquals(1, r.status());
        assertEquals("vane train tokenizer: Input not found: " + missing + "\n", r.err());

        Path empty = Files.writeString(tmp.resolve("empty.txt"), "");
        r = run("--input", empty.toString(), "--vocab-size", "500", "--output", out.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("vane train tokenizer: Empty corpus"), r.err());

        Path noTxt = Files.createDirectories(tmp.resolve("no-txt"));
        Files.writeString(noTxt.resolve("a.md"), "text");
        r = run("--input", noTxt.toString(), "--vocab-size", "500", "--output", out.toString());
        assertEquals(1, r.status());
        assertEquals("vane train tokenizer: No *.txt files under input directory " + noTxt + "\n", r.err());

        Path latin1 = Files.write(tmp.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9});
        r = run("--input", latin1.toString(), "--vocab-size", "500", "--output", out.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("vane train tokenizer: Not valid UTF-8: " + latin1), r.err());
        assertTrue(Files.notExists(out), "nothing written on failure");
    }

    @Test
    void reportsUsageErrors() throws Exception {
        Path in = corpusDir();
        Result r = run("--input", in.toString(), "--vocab-size", "262", "--output", tmp.resolve("o").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("vane train tokenizer: Vocabulary size 262 is below the 263 tokens it must hold"), r.err());
        assertTrue(r.err().contains("usage: vane train tokenizer"), r.err());

        assertEquals(2, run("--input", in.toString(), "--output", "o").status());
        assertTrue(run("--input", in.toString(), "--output", "o").err().startsWith("vane train tokenizer: --vocab-size: required"));
        assertTrue(run("--vocab-size", "500", "--output", "o").err().startsWith("vane train tokenizer: --input: required"));
        assertTrue(run("--input", in.toString(), "--vocab-size", "500").err().startsWith("vane train tokenizer: --output: required"));
        assertTrue(run("--input", "--vocab-size", "500").err().startsWith("vane train tokenizer: --input: missing value"));
        assertTrue(run("--input", in.toString(), "--vocab-size", "lots", "--output", "o").err()
                .startsWith("vane train tokenizer: --vocab-size: not a number: 'lots'"));
        assertTrue(run("--input", in.toString(), "--vocab-size", "500", "--output", "o", "--bogus").err()
                .startsWith("vane train tokenizer: unknown flag '--bogus'"));
        assertTrue(run("--input", in.toString(), "--vocab-size", "500", "--output", "o", "--special", "<s>,</s>").err()
                .startsWith("vane train tokenizer: Need at least 7 special tokens"));
        assertTrue(run("--input", in.toString(), "--vocab-size", "500", "--output").err()
                .startsWith("vane train tokenizer: --output: missing value"));

        Result help = run("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().startsWith("usage: vane train tokenizer"));
    }
}
