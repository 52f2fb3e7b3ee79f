package dev.vane.lab.steering;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.tokenizer.ChatMessage;
import dev.vane.engine.tokenizer.ChatTemplate;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code data steering --data DIR --out DIR [--target GENRE ...] [--chunks-per-doc N]}:
 * the prompt sets of the steering evaluations, built from the demo corpus (docs/lab.md, "data steering"):
 * <ul>
 *   <li>{@code genre-G/vector-pairs.jsonl} {@code {"positive","negative","split"}}: positive = a
 *       {@value #PAIR_WORDS}-word chunk from the start of a genre-G document, negative = a chunk
 *       of another genre's document of the same split; {@code split} is the documents' Brown
 *       split, {@code train} or {@code valid} (test documents are never used);</li>
 *   <li>{@code genre-G/gact-pairs.jsonl} {@code {"neutral","explicit","split"}}: the same pairs,
 *       neutral = the other genre's chunk, explicit = the genre-G chunk;</li>
 *   <li>{@code genre-G/eval-prompts.jsonl} {@code {"id","genre","text"}}: openings
 *       ({@value #OPENING_WORDS} words) of paragraphs of test-split documents of the other genres,
 *       genres interleaved so any prefix of the file is balanced;</li>
 *   <li>{@code refusal/controller-prompts.jsonl} {@code {"text","label","split"}} (the input of
 *       {@code calibrate controller}, which rejects other keys): the
 *       train and valid chat requests (the test split is the refusal evaluation's), {@code harmful}
 *       for the refuse and disguised families (the disguised training templates whether the model
 *       was taught to refuse or to answer them) and {@code benign} for the comply family, with the corpus's
 *       (template-level) split, followed by the 144 controller-only requests of
 *       {@link ControllerRequests} (never in the LM's text or the evaluation). {@code text} is the bare request: {@code calibrate controller --chat}
 *       renders it in the model's chat template exactly as {@link RefusalEval} does
 *       ({@link #renderUser}).</li>
 * </ul>
 * Everything is deterministic: no sampling, files follow the corpus order.
 */
public final class SteeringSets {

    /** Words per pair chunk. */
    public static final int PAIR_WORDS = 32;
    /** Words per evaluation prompt. */
    public static final int OPENING_WORDS = 16;
    /** Evaluation prompts per test document at most (its first paragraphs). */
    public static final int OPENINGS_PER_DOC = 3;

    /** A contrastive pair: {@code positive} from the target genre, {@code negative} from another. */
    public record Pair(String positive, String negative, String negativeGenre, String split) {}

    /** A neutral evaluation prompt from a held-out document. */
    public record EvalPrompt(String id, String genre, String text) {}

    /** A chat request for the controller (the bare user message). */
    public record RefusalExample(String text, String label, String split, String template) {}

    private SteeringSets() {}

    /** Genres of the corpus, sorted. */
    public static List<String> genres(List<BrownDocument> docs) {
        return List.copyOf(new TreeSet<>(docs.stream().map(BrownDocument::genre).toList()));
    }

    /** Checks that {@code target} is a genre of the corpus with train and test documents. */
    public static void checkTarget(List<BrownDocument> docs, String target) {
        List<String> genres = genres(docs);
        if (!genres.contains(target))
            throw new IllegalArgumentException("--target: genre '" + target + "' is not in the corpus (genres: " + genres + ")");
        for (String split : List.of("train", "test"))
            if (docs.stream().noneMatch(d -> d.genre().equals(target) && d.split().equals(split)))
                throw new IllegalArgumentException("--target: genre '" + target + "' has no " + split + "-split documents");
    }

    /**
     * Pairs for {@code target} from the train and valid splits: each target document gives its first
     * {@code chunksPerDoc} chunks as positives; negatives are drawn round-robin over the other genres
     * (sorted), each genre's chunks in order: first chunks of all its documents, then second chunks, ...
     */
    public static List<Pair> genrePairs(List<BrownDocument> docs, String target, int chunksPerDoc) {
        checkTarget(docs, target);
        List<Pair> out = new ArrayList<>();
        for (String split : List.of("train", "valid")) {
            List<String> positives = new ArrayList<>();
            for (BrownDocument d : docs)
                if (d.split().equals(split) && d.genre().equals(target))
                    positives.addAll(Chunks.of(d.text(), PAIR_WORDS, chunksPerDoc));
            List<String[]> negatives = roundRobin(docs, split, target, chunksPerDoc, positives.size());
            for (int i = 0; i < positives.size() && !negatives.isEmpty(); i++) {
                String[] n = negatives.get(i % negatives.size());
                out.add(new Pair(positives.get(i), n[1], n[0], split));
            }
        }
        return out;
    }

    /** Up to {@code n} {@code [genre, chunk]} of the other genres in {@code split}, genres interleaved. */
    private static List<String[]> roundRobin(List<BrownDocument> docs, String split, String target, int chunksPerDoc, int n) {
        Map<String, List<String>> byGenre = new TreeMap<>();
        Map<String, List<List<String>>> perDoc = new TreeMap<>();
        for (BrownDocument d : docs)
            if (d.split().equals(split) && !d.genre().equals(target))
                perDoc.computeIfAbsent(d.genre(), g -> new ArrayList<>()).add(Chunks.of(d.text(), PAIR_WORDS, chunksPerDoc));
        perDoc.forEach((g, chunks) -> {
            List<String> ordered = new ArrayList<>();
            for (int k = 0; k < chunksPerDoc; k++)
                for (List<String> c : chunks) if (k < c.size()) ordered.add(c.get(k));
            byGenre.put(g, ordered);
        });
        List<String[]> out = new ArrayList<>();
        for (int k = 0; out.size() < n; k++) {
            boolean any = false;
            for (var e : byGenre.entrySet())
                if (k < e.getValue().size() && out.size() < n) {
                    out.add(new String[] {e.getKey(), e.getValue().get(k)});
                    any = true;
                }
            if (!any) break;
        }
        return out;
    }

    /** Openings of test-split documents of genres other than {@code target}, genres interleaved. */
    public static List<EvalPrompt> evalPrompts(List<BrownDocument> docs, String target) {
        checkTarget(docs, target);
        Map<String, List<EvalPrompt>> byGenre = new TreeMap<>();
        for (int k = 0; k < OPENINGS_PER_DOC; k++)
            for (BrownDocument d : docs) {
                if (!d.split().equals("test") || d.genre().equals(target)) continue;
                List<String> o = Chunks.paragraphOpenings(d.text(), OPENING_WORDS, OPENINGS_PER_DOC);
                if (k < o.size())
                    byGenre.computeIfAbsent(d.genre(), g -> new ArrayList<>()).add(new EvalPrompt(d.id() + "#" + k, d.genre(), o.get(k)));
            }
        List<EvalPrompt> out = new ArrayList<>();
        for (int k = 0; ; k++) {
            boolean any = false;
            for (List<EvalPrompt> l : byGenre.values())
                if (k < l.size()) {
                    out.add(l.get(k));
                    any = true;
                }
            if (!any) return out;
        }
    }

    /** The user turn in the chat template with the assistant's generation prompt. */
    public static String renderUser(ChatTemplate template, String prompt) {
        return template.render(List.of(new ChatMessage("user", prompt)), true);
    }

    /**
     * Every train and valid dialogue as a controller example (refuse, disguised → harmful; comply → benign),
     * then the controller-only requests of {@link ControllerRequests}.
     */
    public static List<RefusalExample> refusalSet(List<Dialogue> dialogues) {
        List<RefusalExample> out = new ArrayList<>(dialogues.stream().filter(d -> !d.split().equals("test"))
                .map(d -> new RefusalExample(d.prompt(), d.harmful() ? "harmful" : "benign", d.split(), d.template())).toList());
        out.addAll(ControllerRequests.all());
        return out;
    }

    /** Writes every set for {@code targets} under {@code out}; returns file → record count. */
    public static Map<Path, Integer> write(List<BrownDocument> docs, List<Dialogue> dialogues, List<String> targets,
                                           int chunksPerDoc, Path out) {
        Map<Path, Integer> written = new LinkedHashMap<>();
        for (String t : targets) {
            Path dir = out.resolve("genre-" + t);
            List<Pair> pairs = genrePairs(docs, t, chunksPerDoc);
            List<ObjectNode> vec = new ArrayList<>(), gact = new ArrayList<>(), eval = new ArrayList<>();
            for (Pair p : pairs) {
                vec.add(Jsonl.JSON.createObjectNode().put("positive", p.positive()).put("negative", p.negative()).put("split", p.split()));
                gact.add(Jsonl.JSON.createObjectNode().put("neutral", p.negative()).put("explicit", p.positive()).put("split", p.split()));
            }
            for (EvalPrompt e : evalPrompts(docs, t))
                eval.add(Jsonl.JSON.createObjectNode().put("id", e.id()).put("genre", e.genre()).put("text", e.text()));
            put(written, dir.resolve("vector-pairs.jsonl"), vec);
            put(written, dir.resolve("gact-pairs.jsonl"), gact);
            put(written, dir.resolve("eval-prompts.jsonl"), eval);
        }
        List<ObjectNode> refusal = new ArrayList<>();
        for (RefusalExample r : refusalSet(dialogues))
            refusal.add(Jsonl.JSON.createObjectNode().put("text", r.text()).put("label", r.label()).put("split", r.split()));
        put(written, out.resolve("refusal").resolve("controller-prompts.jsonl"), refusal);
        return written;
    }

    private static void put(Map<Path, Integer> written, Path file, List<ObjectNode> records) {
        Jsonl.write(file, records);
        written.put(file, records.size());
    }

    /**
     * Writes the sets of {@code targets} (every genre of the corpus when empty) from the corpus in
     * {@code data} to {@code dir}, one line per file written on {@code out}.
     */
    public static void run(Path data, Path dir, List<String> targets, int chunksPerDoc, PrintStream out) {
        List<BrownDocument> docs = BrownDocument.ofCorpus(data);
        List<Dialogue> dialogues = Dialogue.ofCorpus(data);
        List<String> chosen = targets.isEmpty() ? genres(docs) : targets;
        for (String t : chosen) checkTarget(docs, t);
        write(docs, dialogues, chosen, chunksPerDoc, dir).forEach((p, n) -> out.printf("%6d  %s%n", n, p));
    }
}
