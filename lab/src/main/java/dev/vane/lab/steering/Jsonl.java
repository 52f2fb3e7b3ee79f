package dev.vane.lab.steering;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reading and writing the JSON-lines files of the steering data sets; errors name file, line and field. */
final class Jsonl {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One parsed line and where it came from. */
    record Line(Path file, int number, JsonNode node) {

        /** A required non-empty string field. */
        String text(String field) {
            JsonNode v = node.get(field);
            if (v == null || !v.isTextual())
                throw error(field, "must be a string");
            if (v.asText().isBlank()) throw error(field, "must not be empty");
            return v.asText();
        }

        /** A required string field with one of {@code allowed} values. */
        String oneOf(String field, Set<String> allowed) {
            String v = text(field);
            if (!allowed.contains(v)) throw error(field, "must be one of " + new java.util.TreeSet<>(allowed) + ", got '" + v + "'");
            return v;
        }

        IllegalArgumentException error(String field, String message) {
            return new IllegalArgumentException(file + ":" + number + ": field '" + field + "' " + message);
        }
    }

    private Jsonl() {}

    /** Every non-blank line of {@code file} as a JSON object. */
    static List<Line> read(Path file) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such file");
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        List<Line> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            JsonNode n;
            try {
                n = JSON.readTree(lines.get(i));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": not JSON: " + e.getOriginalMessage());
            }
            if (n == null || !n.isObject()) throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected a JSON object");
            out.add(new Line(file, i + 1, n));
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": no records");
        return out;
    }

    static void write(Path file, List<ObjectNode> records) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (BufferedWriter w = Files.newBufferedWriter(file)) {
                for (ObjectNode r : records) {
                    w.write(JSON.writeValueAsString(r));
                    w.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }
}
