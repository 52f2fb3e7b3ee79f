package dev.vane.lab.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.lab.data.IclTasks.Example;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A task file: JSONL, one {@code {"input": "...", "output": "...", "split": "train"|"valid"|"test"}}
 * per line (blank lines allowed). Read strictly: every error names {@code file:line} and the field.
 */
public record TaskFile(Path path, List<Row> rows) {

    /** Which part of a task an example belongs to. */
    public enum Split {
        TRAIN, VALID, TEST;

        public String jsonName() { return name().toLowerCase(Locale.ROOT); }
    }

    /** One example and the line it came from (1-based). */
    public record Row(Example example, Split split, int line) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KEYS = Set.of("input", "output", "split");

    public TaskFile {
        rows = List.copyOf(rows);
    }

    /** The task's name: the file name without {@code .jsonl}. */
    public String name() {
        return path.getFileName().toString().replaceFirst("\\.jsonl$", "");
    }

    /** @throws IllegalArgumentException naming {@code file:line} and the field at fault */
    public static TaskFile read(Path path) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(path + ": cannot read: " + e.getMessage(), e);
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i);
            if (text.isBlank()) continue;
            String at = path + ":" + (i + 1) + ": ";
            JsonNode n;
            try {
                n = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(at + "malformed JSON: " + e.getOriginalMessage());
            }
            if (n == null || !n.isObject()) throw new IllegalArgumentException(at + "expected a JSON object");
            for (var it = n.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!KEYS.contains(k)) throw new IllegalArgumentException(at + k + ": unknown field (expected input, output, split)");
            }
            String input = text(n, "input", at), output = text(n, "output", at), split = text(n, "split", at);
            if (input.isBlank()) throw new IllegalArgumentException(at + "input: must not be empty");
            if (output.isBlank()) throw new IllegalArgumentException(at + "output: must not be empty");
            if (output.contains("\n") || !output.equals(output.trim()))
                throw new IllegalArgumentException(at + "output: must be one line without surrounding spaces "
                        + "(answers are matched on the first line, trimmed)");
            rows.add(new Row(new Example(input, output), parseSplit(split, at), i + 1));
        }
        if (rows.isEmpty()) throw new IllegalArgumentException(path + ": no examples");
        return new TaskFile(path, rows);
    }

    /** The examples of one split, in file order (possibly none). */
    public List<Example> examples(Split split) {
        return rows.stream().filter(r -> r.split() == split).map(Row::example).toList();
    }

    /**
     * The examples of one split, at least {@code min} of them.
     *
     * @param why what they are needed for, for the message
     */
    public List<Example> require(Split split, int min, String why) {
        List<Example> e = examples(split);
        if (e.size() < min)
            throw new IllegalArgumentException(path + ": split \"" + split.jsonName() + "\" has " + e.size()
                    + " examples, " + why + " needs at least " + min);
        return e;
    }

    private static String text(JsonNode n, String field, String at) {
        JsonNode v = n.get(field);
        if (v == null) throw new IllegalArgumentException(at + field + ": missing");
        if (!v.isTextual()) throw new IllegalArgumentException(at + field + ": expected a string, got " + v);
        return v.textValue();
    }

    private static Split parseSplit(String s, String at) {
        for (Split x : Split.values()) if (x.jsonName().equals(s)) return x;
        throw new IllegalArgumentException(at + "split: must be train, valid or test, got '" + s + "'");
    }
}
