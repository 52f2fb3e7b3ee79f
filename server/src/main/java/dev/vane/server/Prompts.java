package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.text.Snippet;

import java.util.ArrayList;
import java.util.List;

/** The {@code prompt} field: text (tokenized with the model's special tokens) or token ids. Errors name {@code prompt}. */
final class Prompts {

    private Prompts() {}

    /** A string, an array of strings, an array of token ids, or an array of arrays of token ids. */
    static List<int[]> completion(Fields f, ServerContext ctx) {
        return read(f, ctx, "prompt");
    }

    /** {@link #completion}'s forms under another field's name ({@code input} of {@code /v1/embeddings}). */
    static List<int[]> read(Fields f, ServerContext ctx, String field) {
        int vocabSize = ctx.engine().vocabSize();
        JsonNode p = f.raw(field);
        if (p == null) throw ApiError.invalid(field, field + " is required");
        List<int[]> out = new ArrayList<>();
        if (p.isTextual()) out.add(encode(ctx, p.textValue(), true, field));
        else if (p.isArray() && !p.isEmpty() && p.get(0).isTextual()) {
            for (JsonNode e : p)
                if (!e.isTextual()) throw ApiError.invalid(field, field + " arrays must not mix strings and tokens");
            for (JsonNode e : p) out.add(encode(ctx, e.textValue(), true, field));
        } else if (p.isArray() && !p.isEmpty() && p.get(0).isArray()) {
            for (JsonNode e : p) {
                if (!e.isArray()) throw ApiError.invalid(field, field + " arrays must not mix token arrays and other values");
                out.add(tokenIds(e, vocabSize, field));
            }
        } else if (p.isArray() && !p.isEmpty()) out.add(tokenIds(p, vocabSize, field));
        else throw ApiError.invalid(field, field + " must be a string, an array of strings, an array of token ids"
                    + " or an array of arrays of token ids, and not empty");
        for (int[] ids : out)
            if (ids.length == 0) throw ApiError.invalid(field, "a " + field + " must not be empty");
        return out;
    }

    /**
     * The text of each prompt that {@link #completion} read, for {@code echo}: a string prompt as
     * given, token ids decoded with their special tokens.
     */
    static List<String> texts(Fields f, List<int[]> prompts, ServerContext ctx) {
        JsonNode p = f.raw("prompt");
        List<String> out = new ArrayList<>(prompts.size());
        if (p.isTextual()) out.add(p.textValue());
        else if (p.get(0).isTextual()) p.forEach(e -> out.add(e.textValue()));
        else for (int[] ids : prompts) out.add(ctx.engine().tokenizer().decode(ids, false));
        return out;
    }

    /**
     * Tokenizes a prompt's text, refusing first, without tokenizing, a text too long to fit the
     * context whatever its tokens: tokenizing costs time in proportion to the length, so a few
     * megabyte prompts would otherwise hold the CPU that running requests need, only to be refused.
     *
     * @param param the field named by a refusal (413 {@code context_length_exceeded})
     */
    static int[] encode(ServerContext ctx, String text, boolean addSpecialTokens, String param) {
        long max = ctx.maxPromptBytes();
        long bytes = utf8Length(text, max);
        if (bytes > max)
            throw new ApiError(413, "invalid_request_error", param, "context_length_exceeded", param + " is more than "
                    + max + " bytes of text, more than the context of " + ctx.engine().contextLength()
                    + " tokens can hold", 0);
        return ctx.engine().tokenizer().encode(text, addSpecialTokens);
    }

    /** The UTF-8 length of {@code s}, counted up to a little past {@code limit}. */
    static long utf8Length(String s, long limit) {
        long n = 0;
        for (int i = 0; i < s.length() && n <= limit; i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }

    static int[] tokenIds(JsonNode array, int vocabSize) {
        return tokenIds(array, vocabSize, "prompt");
    }

    static int[] tokenIds(JsonNode array, int vocabSize, String field) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = array.get(i);
            if (!t.isIntegralNumber() || !t.canConvertToInt() || t.intValue() < 0 || t.intValue() >= vocabSize)
                throw ApiError.invalid(field, field + " token " + Snippet.of(t.toString()) + " is not a token id of this"
                        + " model (0.." + (vocabSize - 1) + ")");
            ids[i] = t.intValue();
        }
        return ids;
    }
}
