package dev.vane.lab.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The rule-based and lexical tasks of the in-context-learning episodes. Each task is a function
 * from an input string to an output string over a fixed list of inputs; {@link #build} makes the
 * input/output pairs and {@link Split#cut} later holds some of them out.
 */
public final class IclTasks {

    private IclTasks() {}

    /** One example of a task. */
    public record Example(String input, String output) {}

    /** A named task and all its examples (one per distinct input), in a canonical order. */
    public record Task(String name, String description, List<Example> examples) {
        public Task {
            examples = List.copyOf(examples);
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Example e : examples)
                if (!seen.add(e.input())) throw new IllegalArgumentException(name + ": duplicate input " + e.input());
        }
    }

    /** Sources of the task inputs. */
    public record Inputs(List<String> words, List<String> nouns, BrownLexicon lexicon, List<Antonyms.Pair> antonyms) {}

    public static String uppercase(String w) { return w.toUpperCase(Locale.ROOT); }
    public static String lowercase(String w) { return w.toLowerCase(Locale.ROOT); }
    public static String capitalize(String w) { return w.isEmpty() ? w : w.substring(0, 1).toUpperCase(Locale.ROOT) + w.substring(1); }
    public static String firstLetter(String w) { return w.substring(0, 1); }
    public static String lastLetter(String w) { return w.substring(w.length() - 1); }
    public static String reverse(String w) { return new StringBuilder(w).reverse().toString(); }
    /** Number of letters, separators not counted (so {@code "h-o-u-s-e"} has 5, like {@code "house"}). */
    public static String length(String w) { return Integer.toString((int) w.chars().filter(Character::isLetter).count()); }

    /**
     * The word with its letters joined by hyphens: {@code "house"} → {@code "h-o-u-s-e"}.
     * The letter tasks see words spelled out, so each letter is its own token under the demo's
     * byte-level BPE (a whole word is one or two tokens, and a 6.5M-parameter model cannot read
     * letters out of a token it has only seen whole).
     */
    public static String spell(String w) {
        StringBuilder b = new StringBuilder(2 * w.length());
        for (int i = 0; i < w.length(); i++) { if (i > 0) b.append('-'); b.append(w.charAt(i)); }
        return b.toString();
    }

    /** Shortest and longest word (in letters) the letter tasks spell out: ten spelled shots must fit a 256-token context. */
    static final int MIN_SPELLED = 3, MAX_SPELLED = 7;
    public static String nextNumber(String n) { return Integer.toString(Integer.parseInt(n) + 1); }
    public static String previousNumber(String n) { return Integer.toString(Integer.parseInt(n) - 1); }

    /** Irregular plurals that the suffix rules below would get wrong. */
    static final Map<String, String> IRREGULAR_PLURALS = Map.ofEntries(
            Map.entry("man", "men"), Map.entry("woman", "women"), Map.entry("child", "children"),
            Map.entry("foot", "feet"), Map.entry("tooth", "teeth"), Map.entry("mouse", "mice"),
            Map.entry("goose", "geese"), Map.entry("person", "people"), Map.entry("ox", "oxen"),
            Map.entry("knife", "knives"), Map.entry("wife", "wives"), Map.entry("life", "lives"),
            Map.entry("leaf", "leaves"), Map.entry("half", "halves"), Map.entry("wolf", "wolves"),
            Map.entry("shelf", "shelves"), Map.entry("thief", "thieves"), Map.entry("loaf", "loaves"),
            Map.entry("calf", "calves"), Map.entry("self", "selves"), Map.entry("sheep", "sheep"),
            Map.entry("fish", "fish"), Map.entry("deer", "deer"), Map.entry("series", "series"),
            Map.entry("species", "species"), Map.entry("hero", "heroes"), Map.entry("potato", "potatoes"),
            Map.entry("tomato", "tomatoes"), Map.entry("echo", "echoes"), Map.entry("veto", "vetoes"),
            Map.entry("crisis", "crises"), Map.entry("analysis", "analyses"), Map.entry("thesis", "theses"),
            Map.entry("basis", "bases"), Map.entry("hypothesis", "hypotheses"), Map.entry("criterion", "criteria"),
            Map.entry("phenomenon", "phenomena"), Map.entry("datum", "data"), Map.entry("stimulus", "stimuli"),
            Map.entry("nucleus", "nuclei"), Map.entry("radius", "radii"), Map.entry("axis", "axes"));

    /**
     * English plural by rule: irregular table, else {@code -es} after s, x, z, ch, sh; {@code -ies}
     * for a consonant followed by y; else {@code -s}.
     */
    public static String plural(String noun) {
        String irregular = IRREGULAR_PLURALS.get(noun);
        if (irregular != null) return irregular;
        if (noun.endsWith("s") || noun.endsWith("x") || noun.endsWith("z") || noun.endsWith("ch") || noun.endsWith("sh"))
            return noun + "es";
        if (noun.length() > 1 && noun.endsWith("y") && "aeiou".indexOf(noun.charAt(noun.length() - 2)) < 0)
            return noun.substring(0, noun.length() - 1) + "ies";
        return noun + "s";
    }

    /** Countries and their capitals, written for Vane from general knowledge (2024 capitals). */
    static final Map<String, String> CAPITALS = capitals("""
            France Paris, Germany Berlin, Italy Rome, Spain Madrid, Portugal Lisbon, Ireland Dublin,
            England London, Scotland Edinburgh, Wales Cardiff, Belgium Brussels, Netherlands Amsterdam,
            Austria Vienna, Switzerland Bern, Denmark Copenhagen, Norway Oslo, Sweden Stockholm,
            Finland Helsinki, Iceland Reykjavik, Poland Warsaw, Hungary Budapest, Greece Athens,
            Turkey Ankara, Russia Moscow, Ukraine Kyiv, Romania Bucharest, Bulgaria Sofia,
            Serbia Belgrade, Croatia Zagreb, Czechia Prague, Slovakia Bratislava, Estonia Tallinn,
            Latvia Riga, Lithuania Vilnius, Egypt Cairo, Kenya Nairobi, Ethiopia Addis Ababa,
            Ghana Accra, Senegal Dakar, Morocco Rabat, Algeria Algiers, Tunisia Tunis, Sudan Khartoum,
            Uganda Kampala, Zambia Lusaka, Zimbabwe Harare, Angola Luanda, Japan Tokyo, China Beijing,
            Korea Seoul, India New Delhi, Pakistan Islamabad, Nepal Kathmandu, Bangladesh Dhaka,
            Thailand Bangkok, Vietnam Hanoi, Indonesia Jakarta, Philippines Manila, Malaysia Kuala Lumpur,
            Iran Tehran, Iraq Baghdad, Syria Damascus, Lebanon Beirut, Jordan Amman, Israel Jerusalem,
            Afghanistan Kabul, Canada Ottawa, Mexico Mexico City, Cuba Havana, Jamaica Kingston,
            Panama Panama City, Colombia Bogota, Venezuela Caracas, Peru Lima, Chile Santiago,
            Argentina Buenos Aires, Uruguay Montevideo, Paraguay Asuncion, Bolivia La Paz,
            Ecuador Quito, Brazil Brasilia, Australia Canberra, Nigeria Abuja, Mongolia Ulaanbaatar,
            Cyprus Nicosia, Malta Valletta, Albania Tirana, Slovenia Ljubljana, Luxembourg Luxembourg
            """);

    private static Map<String, String> capitals(String table) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String item : table.split(",")) {
            String[] w = item.trim().split("\\s+", 2);
            if (w.length != 2 || m.put(w[0], w[1]) != null) throw new IllegalStateException("bad capital entry: " + item.trim());
        }
        return m;
    }

    /** Both words of an antonym pair must occur this often in the lexicon (the model should know them). */
    static final int MIN_ANTONYM_COUNT = 3;

    /** Task names in the order {@link #build} returns them. */
    public static final List<String> NAMES = List.of("uppercase", "lowercase", "capitalize", "first_letter", "last_letter",
            "reverse_word", "word_length", "next_number", "previous_number", "plural", "antonym", "country_capital");

    /**
     * Builds every task. The letter tasks use {@code inputs.words()} of {@value #MIN_SPELLED} to
     * {@value #MAX_SPELLED} letters, spelled out ({@link #spell}); {@code plural} uses
     * {@code inputs.nouns()} whose rule plural is attested as a plural noun in the lexicon (so the
     * rule is never taught a wrong form); {@code antonym} uses both directions of each pair whose
     * words occur at least {@link #MIN_ANTONYM_COUNT} times in the lexicon; numbers run over 0..999.
     */
    public static List<Task> build(Inputs in) {
        List<Task> tasks = new ArrayList<>();
        List<String> words = in.words().stream()
                .filter(w -> w.length() >= MIN_SPELLED && w.length() <= MAX_SPELLED).map(IclTasks::spell).toList();
        tasks.add(wordTask("uppercase", "the spelled word in capital letters", words, w -> w, IclTasks::uppercase));
        tasks.add(wordTask("lowercase", "the capitalised spelled word in small letters", words, IclTasks::uppercase, IclTasks::lowercase));
        tasks.add(wordTask("capitalize", "the spelled word with a capital first letter", words, w -> w, IclTasks::capitalize));
        tasks.add(wordTask("first_letter", "the first letter of the spelled word", words, w -> w, IclTasks::firstLetter));
        tasks.add(wordTask("last_letter", "the last letter of the spelled word", words, w -> w, IclTasks::lastLetter));
        tasks.add(wordTask("reverse_word", "the spelled word backwards", words, w -> w, IclTasks::reverse));
        tasks.add(wordTask("word_length", "the number of letters in the spelled word", words, w -> w, IclTasks::length));
        List<String> numbers = new ArrayList<>();
        for (int i = 0; i < 1000; i++) numbers.add(Integer.toString(i));
        tasks.add(wordTask("next_number", "the number plus one", numbers, n -> n, IclTasks::nextNumber));
        List<String> positive = numbers.stream().map(n -> Integer.toString(Integer.parseInt(n) + 1)).toList();
        tasks.add(wordTask("previous_number", "the number minus one", positive, n -> n, IclTasks::previousNumber));
        List<Example> plurals = new ArrayList<>();
        for (String n : in.nouns()) {
            String p = plural(n);
            if (!p.equals(n) && in.lexicon().isPluralNoun(p)) plurals.add(new Example(n, p));
        }
        tasks.add(new Task("plural", "the plural of the noun", plurals));
        List<Example> antonyms = new ArrayList<>();
        for (Antonyms.Pair p : in.antonyms()) {
            if (in.lexicon().count(p.a()) < MIN_ANTONYM_COUNT || in.lexicon().count(p.b()) < MIN_ANTONYM_COUNT) continue;
            antonyms.add(new Example(p.a(), p.b()));
            antonyms.add(new Example(p.b(), p.a()));
        }
        tasks.add(new Task("antonym", "a word of opposite meaning", antonyms));
        List<Example> capitals = new ArrayList<>();
        CAPITALS.forEach((country, city) -> capitals.add(new Example(country, city)));
        tasks.add(new Task("country_capital", "the capital city of the country", capitals));
        return tasks;
    }

    private static Task wordTask(String name, String description, List<String> words, UnaryOperator<String> input, UnaryOperator<String> rule) {
        List<Example> ex = new ArrayList<>();
        for (String w : words) { String x = input.apply(w); ex.add(new Example(x, rule.apply(x))); }
        return new Task(name, description, ex);
    }

    /**
     * The held-out unit of a task example: for {@code antonym} both directions of a pair go to the
     * same split (else "hot → cold" in training would give away "cold → hot"), for every other
     * task the input itself.
     */
    public static String splitKey(String task, Example e) {
        if (!task.equals("antonym")) return e.input();
        return e.input().compareTo(e.output()) < 0 ? e.input() + "|" + e.output() : e.output() + "|" + e.input();
    }
}
