package dev.vane.lab.steering;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One request of the demo corpus's chat set ({@code chat/dialogues.jsonl}): the {@code refuse}
 * family is answered with a refusal, the {@code comply} family with help, the {@code disguised}
 * family (harmful requests in role-play, indirection or split instructions) is harmful but trained
 * half refused, half answered; {@code split} holds whole templates out.
 */
public record Dialogue(String family, String template, String prompt, String split) {

    public static final Set<String> FAMILIES = Set.of("refuse", "comply", "disguised");

    public static List<Dialogue> readAll(Path file) {
        List<Dialogue> out = new ArrayList<>();
        for (Jsonl.Line l : Jsonl.read(file))
            out.add(new Dialogue(l.oneOf("family", FAMILIES), l.text("template"), l.text("prompt"),
                    l.oneOf("split", BrownDocument.SPLITS)));
        return out;
    }

    /** {@code DIR/chat/dialogues.jsonl}. */
    public static List<Dialogue> ofCorpus(Path corpus) {
        return readAll(corpus.resolve("chat").resolve("dialogues.jsonl"));
    }

    public boolean harmful() { return !family.equals("comply"); }
}
