package dev.vane.server;

import dev.vane.engine.tokenizer.Tokenizer;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Fill-in-the-middle for completions' {@code suffix}: the prompt and the suffix around the
 * model's infill tokens in prefix-suffix-middle order, {@code <prefix> prompt <suffix> suffix
 * <middle>}, so that the model generates what goes between them. Found by the tokens' names:
 * {@code <|fim_prefix|>}, {@code <|fim_suffix|>}, {@code <|fim_middle|>} (Qwen2.5-Coder and
 * others) or {@code <fim_prefix>}, {@code <fim_suffix>}, {@code <fim_middle>} (StarCoder).
 */
record Infill(int prefix, int suffix, int middle) {

    private static final List<List<String>> NAMES = List.of(
            List.of("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"),
            List.of("<fim_prefix>", "<fim_suffix>", "<fim_middle>"));

    /** The model's infill tokens, when its vocabulary has a whole set. */
    static Optional<Infill> of(Tokenizer tokenizer) {
        for (List<String> names : NAMES) {
            OptionalInt p = tokenizer.tokenId(names.get(0)), s = tokenizer.tokenId(names.get(1)), m = tokenizer.tokenId(names.get(2));
            if (p.isPresent() && s.isPresent() && m.isPresent()) return Optional.of(new Infill(p.getAsInt(), s.getAsInt(), m.getAsInt()));
        }
        return Optional.empty();
    }

    /** What the 400 for a model without infill tokens says. */
    static String missing(String modelId) {
        return "suffix needs a model with fill-in-the-middle tokens (" + String.join(" ", NAMES.get(0)) + ", or "
                + String.join(" ", NAMES.get(1)) + "); the model '" + modelId + "' has none";
    }

    /**
     * {@code [BOS] <prefix> prompt <suffix> suffix <middle>}: a leading BOS of the prompt stays
     * first.
     */
    int[] wrap(int[] prompt, int[] suffixIds, OptionalInt bos) {
        boolean lead = prompt.length > 0 && bos.isPresent() && prompt[0] == bos.getAsInt();
        int from = lead ? 1 : 0;
        int[] out = new int[(lead ? 1 : 0) + 1 + (prompt.length - from) + 1 + suffixIds.length + 1];
        int i = 0;
        if (lead) out[i++] = prompt[0];
        out[i++] = prefix;
        for (int k = from; k < prompt.length; k++) out[i++] = prompt[k];
        out[i++] = suffix;
        for (int t : suffixIds) out[i++] = t;
        out[i] = middle;
        return out;
    }
}
