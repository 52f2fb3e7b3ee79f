package dev.vane.lab.steering;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One Brown document of the demo corpus ({@code brown/documents.jsonl}): {@code split} says
 * whether the demo model trained on it ({@code train}) or it is held out ({@code valid},
 * {@code test}).
 */
public record BrownDocument(String id, String genre, String text, String split) {

    public static final Set<String> SPLITS = Set.of("train", "valid", "test");

    /** Reads and validates {@code brown/documents.jsonl}; ids must be unique. */
    public static List<BrownDocument> readAll(Path file) {
        List<BrownDocument> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Jsonl.Line l : Jsonl.read(file)) {
            BrownDocument d = new BrownDocument(l.text("id"), l.text("genre"), l.text("text"), l.oneOf("split", SPLITS));
            if (!ids.add(d.id())) throw l.error("id", "repeats '" + d.id() + "'");
            out.add(d);
        }
        return out;
    }

    /** {@code DIR/brown/documents.jsonl}. */
    public static List<BrownDocument> ofCorpus(Path corpus) {
        return readAll(corpus.resolve("brown").resolve("documents.jsonl"));
    }

    /** The document's whitespace-separated words. */
    public List<String> words() { return Chunks.words(text); }
}
