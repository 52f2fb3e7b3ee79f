package dev.vane.lab.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Word statistics from tagged Brown texts, used to pick words the demo model has seen: counts of
 * lower-case alphabetic words, of singular common nouns (tag {@code nn}) and of plural common
 * nouns (tag {@code nns}). Built from the training documents only.
 */
public final class BrownLexicon {

    private final Map<String, Integer> words = new TreeMap<>();
    private final Map<String, Integer> nouns = new TreeMap<>();
    private final Map<String, Integer> pluralNouns = new TreeMap<>();

    /** Counts the tagged files {@code dir/<id>} for the given ids. */
    public static BrownLexicon read(Path dir, Collection<String> ids) throws IOException {
        BrownLexicon lex = new BrownLexicon();
        for (String id : ids) lex.addTagged(Files.readString(dir.resolve(id), StandardCharsets.ISO_8859_1));
        return lex;
    }

    /** Adds every {@code word/tag} token of one tagged text. */
    public void addTagged(String tagged) {
        for (String token : tagged.trim().split("\\s+")) {
            int slash = token.lastIndexOf('/');
            if (slash <= 0) continue;
            String w = token.substring(0, slash), tag = token.substring(slash + 1);
            if (!isLowerAlpha(w)) continue;
            words.merge(w, 1, Integer::sum);
            if (tag.equals("nn")) nouns.merge(w, 1, Integer::sum);
            else if (tag.equals("nns")) pluralNouns.merge(w, 1, Integer::sum);
        }
    }

    static boolean isLowerAlpha(String w) {
        if (w.isEmpty()) return false;
        for (int i = 0; i < w.length(); i++) { char c = w.charAt(i); if (c < 'a' || c > 'z') return false; }
        return true;
    }

    public int count(String word) { return words.getOrDefault(word, 0); }

    public boolean isPluralNoun(String word) { return pluralNouns.containsKey(word); }

    /** The {@code limit} most frequent lower-case words of {@code minLength}+ letters, most frequent first (ties alphabetical). */
    public List<String> frequentWords(int limit, int minLength) {
        return top(words, limit, minLength);
    }

    /** The {@code limit} most frequent singular common nouns, most frequent first (ties alphabetical). */
    public List<String> frequentNouns(int limit, int minLength) {
        return top(nouns, limit, minLength);
    }

    private static List<String> top(Map<String, Integer> counts, int limit, int minLength) {
        return counts.entrySet().stream()
                .filter(e -> e.getKey().length() >= minLength)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(limit).map(Map.Entry::getKey).toList();
    }

    public int distinctWords() { return words.size(); }

}
