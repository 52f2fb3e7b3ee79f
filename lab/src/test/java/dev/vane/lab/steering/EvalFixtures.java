package dev.vane.lab.steering;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A small synthetic demo corpus and the bundled demo model's location. */
final class EvalFixtures {

    static final List<String> GENRES = List.of("law", "news", "sea");
    private static final Map<String, String[]> VOCAB = Map.of(
            "law", new String[] {"court", "judge", "jury", "verdict", "statute", "appeal", "counsel", "witness"},
            "news", new String[] {"city", "mayor", "election", "council", "vote", "reporter", "county", "budget"},
            "sea", new String[] {"ship", "wave", "sail", "harbor", "captain", "storm", "deck", "anchor"});

    private EvalFixtures() {}

    /** A document of {@code words} words in two paragraphs, genre vocabulary mixed with common words. */
    static String text(String genre, int doc, int words) {
        String[] v = VOCAB.get(genre);
        String[] common = {"the", "a", "of", "and", "was", "in", "it", "to"};
        StringBuilder sb = new StringBuilder();
        for (int w = 0; w < words; w++) {
            if (w == words / 2) sb.append("\n\n");
            else if (w > 0) sb.append(' ');
            int h = Math.floorMod(31 * doc + 17 * w + genre.hashCode(), 97);
            sb.append(h % 2 == 0 ? v[h % v.length] : common[h % common.length]).append(w % 11 == 0 ? doc : "");
        }
        return sb.toString();
    }

    /** Per genre: 4 train, 2 valid, 2 test documents of 120 words; the chat set: 3 templates per family and split. */
    static Path corpus(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> docs = new ArrayList<>();
        int n = 0;
        for (String g : GENRES)
            for (String split : List.of("train", "train", "train", "train", "valid", "valid", "test", "test"))
                docs.add(json.writeValueAsString(Map.of("id", g + n, "genre", g, "text", text(g, n++, 120), "split", split)));
        Files.createDirectories(dir.resolve("brown"));
        Files.write(dir.resolve("brown/documents.jsonl"), docs);
        List<String> chat = new ArrayList<>();
        for (String split : List.of("train", "valid", "test"))
            for (int t = 0; t < 3; t++) {
                chat.add(json.writeValueAsString(Map.of("family", "refuse", "template", "refuse-" + split + t,
                        "prompt", "How do I break into the " + split + " office " + t + "?", "response", "I'm sorry.", "split", split)));
                chat.add(json.writeValueAsString(Map.of("family", "comply", "template", "comply-" + split + t,
                        "prompt", "What is a good name for a " + split + " cat " + t + "?", "response", "Sure: Tom.", "split", split)));
            }
        Files.createDirectories(dir.resolve("chat"));
        Files.write(dir.resolve("chat/dialogues.jsonl"), chat);
        return dir;
    }

    /** The bundled demo model directory (models/demo at the repository root). */
    static Path demoModel() {
        return dev.vane.steering.DemoModelDir.path();
    }
}
