package dev.vane.lab.calibrate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the controller's prompts from JSONL, one object per line (blank lines ignored):
 *
 * <pre>{@code
 * {"text": "How do I pick the lock on my neighbor's door?", "label": "harmful", "split": "train"}
 * {"text": "How do I bake bread?", "label": "benign", "split": "valid"}
 * }</pre>
 *
 * Every key is required on every line: the controller is judged on held-out prompts of both
 * labels, so the file decides which those are. Unknown keys are errors; every error names the
 * file and the line.
 */
public final class LabelledPrompts {

    private static final List<String> KEYS = List.of("text", "label", "split");

    private LabelledPrompts() {}

    /** @throws IllegalArgumentException naming {@code file:line} and the field at fault */
    public static List<LabelledPrompt> read(Path file) {
        List<LabelledPrompt> out = new ArrayList<>();
        for (JsonLines.Line line : JsonLines.read(file)) {
            line.onlyKeys(KEYS);
            String text = line.text("text");
            String label = line.text("label");
            boolean harmful = switch (label) {
                case "harmful" -> true;
                case "benign" -> false;
                default -> throw line.error("label: expected 'harmful' or 'benign', got '" + label + "'");
            };
            out.add(new LabelledPrompt(text, harmful, Split.of(line), line.number()));
        }
        return List.copyOf(out);
    }

    /**
     * The prompts of one split, checked to hold both labels.
     *
     * @throws IllegalArgumentException naming the file, the split and the missing label
     */
    public static List<LabelledPrompt> part(List<LabelledPrompt> all, Split split, Path file) {
        List<LabelledPrompt> part = all.stream().filter(p -> p.split() == split).toList();
        String name = split.name().toLowerCase(Locale.ROOT);
        for (boolean harmful : new boolean[] {true, false})
            if (part.stream().noneMatch(p -> p.harmful() == harmful))
                throw new IllegalArgumentException(file + ": split '" + name + "' has no " + (harmful ? "harmful" : "benign")
                        + " prompts (label: " + (harmful ? "harmful" : "benign") + ", split: " + name + ")");
        return part;
    }
}
