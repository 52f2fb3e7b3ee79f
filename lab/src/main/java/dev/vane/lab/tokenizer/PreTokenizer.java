package dev.vane.lab.tokenizer;

import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into the pieces ("words") that byte-level BPE merges within, with Llama 3's split
 * regex: case-insensitive English contractions, a run of letters with at most one leading
 * non-letter/non-digit (usually the space), 1 to 3 digits, a punctuation run with an optional
 * leading space and trailing newlines, newline runs with the whitespace before them, and other
 * whitespace runs (leaving the last space of a run to start the following word).
 *
 * <p>The same regex is written into tokenizer.json ({@link #regex}), where HF tokenizers applies it
 * with Oniguruma; Java's engine runs with {@link Pattern#UNICODE_CHARACTER_CLASS} so that
 * {@code \s}, {@code \p{L}} and {@code \p{N}} mean the same Unicode classes. Special tokens are cut
 * out of the text first, as HF does with added tokens before pre-tokenisation, so they never take
 * part in merges.
 */
final class PreTokenizer {
    /** Llama 3's pre-tokenisation regex, in the syntax of tokenizer.json, its digit alternative chosen by {@code digits}. */
    static String regex(DigitSplit digits) {
        return "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|" + digits.pattern()
                + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    }

    private final Pattern split;
    private final Pattern specials;

    /** @param specialTokens strings removed from the text before splitting */
    PreTokenizer(List<String> specialTokens) {
        this(specialTokens, DigitSplit.GROUPS_OF_THREE);
    }

    /**
     * @param specialTokens strings removed from the text before splitting
     * @param digits        how runs of digits are cut
     */
    PreTokenizer(List<String> specialTokens, DigitSplit digits) {
        this.split = Pattern.compile(regex(digits), Pattern.UNICODE_CHARACTER_CLASS);
        if (specialTokens.isEmpty()) {
            this.specials = null;
        } else {
            // Longest first, so that a special token that is a prefix of another does not win.
            this.specials = Pattern.compile(String.join("|", specialTokens.stream()
                    .sorted((a, b) -> Integer.compare(b.length(), a.length()))
                    .map(Pattern::quote)
                    .toList()));
        }
    }

    /** Calls {@code sink} with each word of {@code text}, in order; their concatenation is the text less special tokens. */
    void split(String text, Consumer<String> sink) {
        if (specials == null) {
            splitSegment(text, 0, text.length(), sink);
            return;
        }
        Matcher m = specials.matcher(text);
        int start = 0;
        while (m.find()) {
            splitSegment(text, start, m.start(), sink);
            start = m.end();
        }
        splitSegment(text, start, text.length(), sink);
    }

    private void splitSegment(String text, int from, int to, Consumer<String> sink) {
        if (from >= to) {
            return;
        }
        Matcher m = split.matcher(text).region(from, to);
        int last = from;
        while (m.find()) {
            if (m.start() > last) { // unreachable with this regex (\s+ and the others cover everything), kept for safety
                sink.accept(text.substring(last, m.start()));
            }
            sink.accept(text.substring(m.start(), m.end()));
            last = m.end();
        }
        if (last < to) {
            sink.accept(text.substring(last, to));
        }
    }
}
