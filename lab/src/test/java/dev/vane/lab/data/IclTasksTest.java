package dev.vane.lab.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IclTasksTest {

    @Test
    void wordRules() {
        assertThat(IclTasks.uppercase("house")).isEqualTo("HOUSE");
        assertThat(IclTasks.lowercase("HOUSE")).isEqualTo("house");
        assertThat(IclTasks.capitalize("house")).isEqualTo("House");
        assertThat(IclTasks.firstLetter("house")).isEqualTo("h");
        assertThat(IclTasks.lastLetter("house")).isEqualTo("e");
        assertThat(IclTasks.reverse("house")).isEqualTo("esuoh");
        assertThat(IclTasks.length("house")).isEqualTo("5");
        assertThat(IclTasks.nextNumber("41")).isEqualTo("42");
        assertThat(IclTasks.nextNumber("999")).isEqualTo("1000");
        assertThat(IclTasks.previousNumber("41")).isEqualTo("40");
        assertThat(IclTasks.previousNumber("1")).isEqualTo("0");
    }

    @Test
    void letterRulesWorkOnSpelledWords() {
        assertThat(IclTasks.spell("house")).isEqualTo("h-o-u-s-e");
        assertThat(IclTasks.spell("a")).isEqualTo("a");
        assertThat(IclTasks.uppercase("h-o-u-s-e")).isEqualTo("H-O-U-S-E");
        assertThat(IclTasks.lowercase("H-O-U-S-E")).isEqualTo("h-o-u-s-e");
        assertThat(IclTasks.capitalize("h-o-u-s-e")).isEqualTo("H-o-u-s-e");
        assertThat(IclTasks.firstLetter("h-o-u-s-e")).isEqualTo("h");
        assertThat(IclTasks.lastLetter("h-o-u-s-e")).isEqualTo("e");
        assertThat(IclTasks.reverse("h-o-u-s-e")).isEqualTo("e-s-u-o-h");
        assertThat(IclTasks.length("h-o-u-s-e")).isEqualTo("5");
    }

    @Test
    void pluralRules() {
        assertThat(IclTasks.plural("dog")).isEqualTo("dogs");
        assertThat(IclTasks.plural("city")).isEqualTo("cities");
        assertThat(IclTasks.plural("day")).isEqualTo("days");     // vowel + y
        assertThat(IclTasks.plural("box")).isEqualTo("boxes");
        assertThat(IclTasks.plural("church")).isEqualTo("churches");
        assertThat(IclTasks.plural("dish")).isEqualTo("dishes");
        assertThat(IclTasks.plural("bus")).isEqualTo("buses");
        assertThat(IclTasks.plural("man")).isEqualTo("men");
        assertThat(IclTasks.plural("child")).isEqualTo("children");
        assertThat(IclTasks.plural("knife")).isEqualTo("knives");
        assertThat(IclTasks.plural("sheep")).isEqualTo("sheep");
    }

    @Test
    void builtInAntonymsAreAtLeastAHundredFunctionalPairs() {
        List<Antonyms.Pair> pairs = Antonyms.builtIn();
        assertThat(pairs).hasSizeGreaterThanOrEqualTo(100);
        Set<String> words = new HashSet<>();
        for (Antonyms.Pair p : pairs) {
            assertThat(words.add(p.a())).as("word %s used twice", p.a()).isTrue();
            assertThat(words.add(p.b())).as("word %s used twice", p.b()).isTrue();
        }
        assertThat(pairs).contains(new Antonyms.Pair("hot", "cold"), new Antonyms.Pair("happy", "sad"));
        assertThat(Antonyms.functional(List.of(new Antonyms.Pair("light", "dark"), new Antonyms.Pair("light", "heavy"))))
                .containsExactly(new Antonyms.Pair("light", "dark"));
    }

    @Test
    void readsAdjectiveAntonymsFromWordNetDataFiles(@TempDir Path tmp) throws IOException {
        // Two synsets pointing at each other with "!" (word 1 -> word 1), one satellite without antonyms,
        // and a licence header line that starts with spaces, in the layout of WordNet's data.adj.
        String cold = "00000010 00 a 02 cold 0 frigid 0 001 ! 00000020 a 0101 | having a low temperature\n";
        String hot = "00000020 00 a 01 hot 0 001 ! 00000010 a 0101 | having a high temperature\n";
        String other = "00000030 00 s 01 galore(ip) 0 000 | in great numbers\n";
        // A prefix negation (published / unpublished) is skipped.
        String pub = "00000040 00 a 01 published 0 001 ! 00000050 a 0101 | printed\n";
        String unpub = "00000050 00 a 01 unpublished 0 001 ! 00000040 a 0101 | not printed\n";
        Files.writeString(tmp.resolve("data.adj"), "  1 This software and database is provided\n" + cold + hot + other + pub + unpub);
        assertThat(Antonyms.readWordNet(tmp)).containsExactly(new Antonyms.Pair("cold", "hot"), new Antonyms.Pair("hot", "cold"));
        assertThat(Antonyms.isPrefixNegation("legal", "illegal")).isTrue();
        assertThat(Antonyms.isPrefixNegation("hot", "cold")).isFalse();
        assertThatThrownBy(() -> Antonyms.readWordNet(tmp.resolve("missing"))).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("data.adj");
    }

    @Test
    void builtTasksFollowTheirRulesOnEveryExample() {
        BrownLexicon lex = new BrownLexicon();
        lex.addTagged(("hot/jj cold/jj house/nn houses/nns city/nn cities/nns dog/nn dogs/nns water/nn "
                + "man/nn men/nns the/at and/cc big/jj small/jj ").repeat(IclTasks.MIN_ANTONYM_COUNT) + "happy/jj sad/jj");
        List<IclTasks.Task> tasks = IclTasks.build(new IclTasks.Inputs(List.of("house", "city", "the", "and", "an", "policeman"),
                List.of("house", "city", "dog", "water", "man"), lex, Antonyms.builtIn()));
        assertThat(tasks).extracting(IclTasks.Task::name).containsExactlyElementsOf(IclTasks.NAMES);
        assertThat(tasks).hasSizeGreaterThanOrEqualTo(10);
        Map<String, IclTasks.Task> byName = new HashMap<>();
        tasks.forEach(t -> byName.put(t.name(), t));
        for (IclTasks.Example e : byName.get("uppercase").examples()) assertThat(e.output()).isEqualTo(e.input().toUpperCase());
        for (IclTasks.Example e : byName.get("reverse_word").examples())
            assertThat(e.output()).isEqualTo(new StringBuilder(e.input()).reverse().toString());
        for (IclTasks.Example e : byName.get("next_number").examples())
            assertThat(Integer.parseInt(e.output())).isEqualTo(Integer.parseInt(e.input()) + 1);
        for (IclTasks.Example e : byName.get("previous_number").examples())
            assertThat(Integer.parseInt(e.output())).isEqualTo(Integer.parseInt(e.input()) - 1).isGreaterThanOrEqualTo(0);
        // Letter tasks spell out the words of 3 to 7 letters ("an" and "policeman" are left out).
        for (String letterTask : List.of("uppercase", "lowercase", "capitalize", "first_letter", "last_letter", "reverse_word", "word_length"))
            assertThat(byName.get(letterTask).examples()).as(letterTask).hasSize(4);
        assertThat(byName.get("lowercase").examples()).contains(new IclTasks.Example("H-O-U-S-E", "h-o-u-s-e"));
        assertThat(byName.get("word_length").examples()).contains(new IclTasks.Example("c-i-t-y", "4"));
        assertThat(byName.get("first_letter").examples()).contains(new IclTasks.Example("t-h-e", "t"));
        // Only nouns whose rule plural is attested as a plural noun: "water" has none in the lexicon.
        assertThat(byName.get("plural").examples()).containsExactly(new IclTasks.Example("house", "houses"),
                new IclTasks.Example("city", "cities"), new IclTasks.Example("dog", "dogs"), new IclTasks.Example("man", "men"));
        // Antonyms in both directions, only for words the lexicon has seen often enough (not happy / sad, seen once).
        assertThat(byName.get("antonym").examples()).containsExactly(new IclTasks.Example("hot", "cold"), new IclTasks.Example("cold", "hot"),
                new IclTasks.Example("big", "small"), new IclTasks.Example("small", "big"));
        assertThat(byName.get("country_capital").examples()).contains(new IclTasks.Example("France", "Paris"))
                .hasSizeGreaterThanOrEqualTo(50);
    }

    @Test
    void bothDirectionsOfAnAntonymPairShareASplitKey() {
        assertThat(IclTasks.splitKey("antonym", new IclTasks.Example("hot", "cold")))
                .isEqualTo(IclTasks.splitKey("antonym", new IclTasks.Example("cold", "hot")));
        assertThat(IclTasks.splitKey("uppercase", new IclTasks.Example("hot", "HOT"))).isEqualTo("hot");
    }

    @Test
    void duplicateInputsAreRejected() {
        assertThatThrownBy(() -> new IclTasks.Task("t", "d", List.of(new IclTasks.Example("a", "b"), new IclTasks.Example("a", "c"))))
                .hasMessageContaining("duplicate input a");
    }
}
