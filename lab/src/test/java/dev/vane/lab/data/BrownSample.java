package dev.vane.lab.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/** Writes a tiny synthetic corpus in the tagged Brown layout (no network, no real corpus). */
final class BrownSample {

    private BrownSample() {}

    static final List<String> NOUNS = List.of("dog", "city", "box", "church", "house", "tree", "car", "book",
            "letter", "day", "party", "bus", "man", "child", "river", "teacher", "student", "table", "window", "garden");
    /** The plurals of {@link #NOUNS}, in the same order. */
    static final List<String> PLURALS = List.of("dogs", "cities", "boxes", "churches", "houses", "trees", "cars", "books",
            "letters", "days", "parties", "buses", "men", "children", "rivers", "teachers", "students", "tables", "windows", "gardens");
    private static final List<String> ADJECTIVES = List.of("hot", "cold", "big", "small", "good", "bad", "happy", "sad",
            "early", "late", "young", "old", "rich", "poor", "strong", "weak", "fast", "slow", "dark", "light");

    /** {@code perGenre} files for each of the 15 genres, each a few paragraphs of tagged sentences. */
    static Path write(Path dir, int perGenre, long seed) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(seed);
        for (char g : "abcdefghjklmnpr".toCharArray())
            for (int i = 1; i <= perGenre; i++)
                Files.writeString(dir.resolve(String.format("c%c%02d", g, i)), text(rng));
        Files.writeString(dir.resolve("README"), "BROWN CORPUS (synthetic test sample)\n");
        Files.writeString(dir.resolve("cats.txt"), "ca01 news\n");
        return dir;
    }

    private static String text(SplittableRandom rng) {
        StringBuilder b = new StringBuilder("\n\n");
        for (int p = 0; p < 6; p++) {
            b.append('\t');
            for (int s = 0; s < 3; s++) {
                String n = NOUNS.get(rng.nextInt(NOUNS.size())), a = ADJECTIVES.get(rng.nextInt(ADJECTIVES.size()));
                String plural = PLURALS.get(rng.nextInt(PLURALS.size()));
                b.append("The/at ").append(a).append("/jj ").append(n).append("/nn saw/vbd the/at ")
                        .append(plural).append("/nns ,/, ``/`` and/cc it/pps was/bedz ")
                        .append(ADJECTIVES.get(rng.nextInt(ADJECTIVES.size()))).append("/jj ''/'' ./.\n");
            }
            b.append("\n\n");
        }
        return b.toString();
    }
}
