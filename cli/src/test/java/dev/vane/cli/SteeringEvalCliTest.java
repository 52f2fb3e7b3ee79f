package dev.vane.cli;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vane data steering} and {@code vane eval steering classifier} through the CLI entry point. */
class SteeringEvalCliTest {

    @TempDir
    Path tmp;

    /** Two genres, two documents per split each, and one chat request per family and split. */
    private Path corpus() throws Exception {
        List<String> docs = new ArrayList<>();
        String[][] words = {{"ship", "sail", "wave", "harbor"}, {"court", "judge", "jury", "appeal"}};
        String[] genres = {"sea", "law"};
        int id = 0;
        for (int g = 0; g < 2; g++)
            for (String split : List.of("train", "train", "valid", "valid", "test", "test")) {
                StringBuilder t = new StringBuilder();
                for (int w = 0; w < 80; w++) t.append(w == 40 ? "\\n\\n" : w == 0 ? "" : " ").append(words[g][(w * 7 + id) % 4]).append(w % 3 == 0 ? " the" : "");
                docs.add("{\"id\":\"d" + id++ + "\",\"genre\":\"" + genres[g] + "\",\"text\":\"" + t + "\",\"split\":\"" + split + "\"}");
            }
        Path dir = tmp.resolve("corpus");
        Files.createDirectories(dir.resolve("brown"));
        Files.write(dir.resolve("brown/documents.jsonl"), docs);
        List<String> chat = new ArrayList<>();
        for (String split : List.of("train", "valid", "test")) {
            chat.add("{\"family\":\"refuse\",\"template\":\"r-" + split + "\",\"prompt\":\"How do I break in?\",\"response\":\"I'm sorry.\",\"split\":\"" + split + "\"}");
            chat.add("{\"family\":\"comply\",\"template\":\"c-" + split + "\",\"prompt\":\"Name a cat.\",\"response\":\"Tom.\",\"split\":\"" + split + "\"}");
        }
        Files.createDirectories(dir.resolve("chat"));
        Files.write(dir.resolve("chat/dialogues.jsonl"), chat);
        return dir;
    }

    private static String stdout(String... args) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            Cli.main(args);
        } finally {
            System.setOut(saved);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void dataSteeringWritesTheSetsAndTheClassifierReportsItsHeldOutAccuracy() throws Exception {
        Path data = corpus(), out = tmp.resolve("sets");
        assertThat(stdout("data", "steering", "--data", data.toString(), "--out", out.toString(), "--target", "sea"))
                .contains("genre-sea/vector-pairs.jsonl", "genre-sea/gact-pairs.jsonl", "genre-sea/eval-prompts.jsonl",
                        "refusal/controller-prompts.jsonl");
        // 4 train/valid sea documents of 107 words: 3 chunks of 32 words each (the 11-word tail is dropped)
        assertThat(Files.readAllLines(out.resolve("genre-sea/vector-pairs.jsonl"))).hasSize(12);
        // the corpus's 4 train/valid requests, then the controller-only ones
        assertThat(Files.readAllLines(out.resolve("refusal/controller-prompts.jsonl")))
                .hasSize(4 + dev.vane.lab.steering.ControllerRequests.all().size());
        assertThat(stdout("eval", "steering", "classifier", "--data", data.toString()))
                .contains("| law | 4 | 4 | 100% |", "| sea | 4 | 4 | 100% |", "| **all** | 8 | 8 | 100.0% |");
    }

    @Test
    void helpListsTheSteeringCommands() throws Exception {
        assertThat(stdout("eval", "steering", "--help")).contains("classifier", "genre", "refusal", "probes");
        assertThat(stdout("help")).contains("vane eval steering classifier|genre|refusal|probes", "vane data steering ");
    }
}
