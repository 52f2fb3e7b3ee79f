package dev.vane.lab.calibrate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The JSON objects of a JSONL prompt file, one per non-blank line, with readers whose errors name
 * {@code file:line} and the field. Shared by the {@code calibrate} commands' prompt formats.
 */
final class JsonLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {}

    /** One object and where it came from. */
    record Line(Path file, int number, JsonNode node) {

        /** {@code file:line: } for messages. */
        String where() {
            return file + ":" + number + ": ";
        }

        IllegalArgumentException error(String message) {
            return new IllegalArgumentException(where() + message);
        }

        /** Rejects any key outside {@code keys} (a misspelt key must not pass silently). */
        void onlyKeys(List<String> keys) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!keys.contains(k)) throw error("unknown key '" + k + "' (" + String.join(", ", keys) + ")");
            }
        }

        boolean has(String field) {
            return node.has(field);
        }

        /** A required non-empty string. */
        String text(String field) {
            JsonNode v = node.get(field);
            if (v == null) throw error(field + ": missing");
            if (!v.isTextual() || v.textValue().isEmpty()) throw error(field + ": expected a non-empty string");
            return v.textValue();
        }
    }

    /**
     * Every non-blank line, parsed.
     *
     * @throws IllegalArgumentException naming the file (and line) when it cannot be read, a line is
     *         not a JSON object, or the file holds no lines
     */
    static List<Line> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": file not found");
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
        }
        List<Line> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            String where = file + ":" + (i + 1) + ": ";
            JsonNode n;
            try {
                n = JSON.readTree(lines.get(i));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(where + "malformed JSON: " + e.getOriginalMessage());
            }
            if (n == null || !n.isObject()) throw new IllegalArgumentException(where + "expected a JSON object");
            out.add(new Line(file, i + 1, n));
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": no prompts (the file has no non-blank lines)");
        return out;
    }
}
