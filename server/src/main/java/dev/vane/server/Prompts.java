package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/** The {@code prompt} field: text (tokenized with the model's special tokens) or token ids. Errors name {@code prompt}. */
final class Prompts {

    private Prompts() {}

    /** A string, an array of strings, an array of token ids, or an array of arrays of token ids. */
    static List<int[]> completion(Fields f, Tokenizer tokenizer, int vocabSize) {
        JsonNode p = f.raw("prompt");
        if (p == null) throw ApiError.invalid("prompt", "prompt is required");
        List<int[]> out = new ArrayList<>();
        if (p.isTextual()) out.add(tokenizer.encode(p.textValue(), true));
        else if (p.isArray() && !p.isEmpty() && p.get(0).isTextual()) {
            for (JsonNode e : p) {
                if (!e.isTextual()) throw ApiError.invalid("prompt", "prompt arrays must not mix strings and tokens");
                out.add(tokenizer.encode(e.textValue(), true));
            }
        } else if (p.isArray() && !p.isEmpty() && p.get(0).isArray()) {
            for (JsonNode e : p) {
                if (!e.isArray()) throw ApiError.invalid("prompt", "prompt arrays must not mix token arrays and other values");
                out.add(tokenIds(e, vocabSize));
            }
        } else if (p.isArray() && !p.isEmpty()) out.add(tokenIds(p, vocabSize));
        else throw ApiError.invalid("prompt", "prompt must be a string, an array of strings, an array of token ids"
                    + " or an array of arrays of token ids, and not empty");
        for (int[] ids : out)
            if (ids.length == 0) throw ApiError.invalid("prompt", "a prompt must not be empty");
        return out;
    }

    static int[] tokenIds(JsonNode array, int vocabSize) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = array.get(i);
            if (!t.isIntegralNumber() || !t.canConvertToInt() || t.intValue() < 0 || t.intValue() >= vocabSize)
                throw ApiError.invalid("prompt", "prompt token " + t + " is not a token id of this model (0.."
                        + (vocabSize - 1) + ")");
            ids[i] = t.intValue();
        }
        return ids;
    }
}
