package dev.vane.lab.eval;

import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.lab.data.IclTasks;
import dev.vane.lab.data.Split;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.hooks.TensorHooks;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;
import dev.vane.engine.tokenizer.ChatMessage;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.lab.train.Losses;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Locale;
import java.util.Set;

/**
 * {@code vane eval demo}: the model card's measurements
 * on a held-out split of the demo corpus (test to report, valid to choose between candidates),
 * printed as Markdown tables:
 * Brown perplexity, greedy continuations, ICL accuracy 0-shot vs N-shot per task, pass-key
 * accuracy within the context, refusal rate per request family. Greedy decoding throughout;
 * both arms of every comparison use the same prompt format.
 */
public final class DemoEval {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TensorDecoder model;
    private final Tokenizer tok;
    private final Generator gen;
    private final int context;
    private final PrintStream out;
    private final String split;

    private DemoEval(TensorDecoder model, Tokenizer tok, int context, Split split, PrintStream out) {
        this.split = split.label();
        this.model = model;
        this.tok = tok;
        this.context = context;
        this.gen = new Generator(model, tok, 8, context);
        this.out = out;
    }

    /** The measurements, in the order they print. */
    public static final List<String> PARTS = List.of("perplexity", "continuations", "icl", "passkey", "refusal");

    /** Refuses the training split, naming {@code --split}: the evaluation runs on held-out data only. */
    public static void checkSplit(Split split) {
        if (split == Split.TRAIN) throw new IllegalArgumentException("--split: must be valid or test (held out), not train");
    }

    /**
     * Runs the chosen {@link #PARTS} on one held-out split of the corpus in {@code data}.
     *
     * @param split   {@link Split#VALID} or {@link Split#TEST}
     * @param perTask ICL queries per task
     * @param shots   demonstrations of the N-shot ICL arm
     */
    public static void run(Path modelDir, Path data, Split split, int perTask, int shots, Set<String> parts, PrintStream out)
            throws IOException {
        checkSplit(split);
        try (TensorDecoder model = ModelLoader.loadTensor(modelDir, ComputeDType.F32, 0);
             Tokenizer tok = Tokenizer.load(modelDir)) {
            DemoEval e = new DemoEval(model, tok, model.maxPositions(), split, out);
            if (parts.contains("perplexity")) e.perplexity(data.resolve("brown/" + split.label() + ".txt"));
            if (parts.contains("continuations")) e.continuations(data.resolve("brown/documents.jsonl"));
            if (parts.contains("icl")) e.icl(data.resolve("icl/tasks"), perTask, shots);
            if (parts.contains("passkey")) e.passKey(data.resolve("passkey/passkey.jsonl"));
            if (parts.contains("refusal")) e.refusal(data.resolve("chat/dialogues.jsonl"));
            e.gen.close();
        }
    }

    private void perplexity(Path text) throws IOException {
        int[] ids = tok.encode(Files.readString(text), false);
        double sum = 0;
        int windows = 0;
        for (int start = 0; start + context + 1 <= ids.length && windows < 64; start += context, windows++) {
            int[] in = Arrays.copyOfRange(ids, start, start + context);
            int[] target = Arrays.copyOfRange(ids, start + 1, start + context + 1);
            try (NDScope s = new NDScope()) {
                sum += Losses.crossEntropy(model.forward(StepInput.prompt(in, 0), TensorHooks.NONE, LogitsMode.ALL),
                        new int[][] {target}).getFloat();
            }
        }
        double loss = sum / windows;
        out.printf(Locale.ROOT, "%n### Brown held-out perplexity (%s split)%n%n| windows × tokens | loss (nats/token) | perplexity |%n"
                + "|---|---|---|%n| %d × %d | %.3f | %.1f |%n", split, windows, context, loss, Math.exp(loss));
    }

    /**
     * The continuations are shown twice: plain argmax, and argmax of the logits after the
     * repetition penalty (CTRL's, as in HF {@code generate} and llama.cpp; still deterministic):
     * a model this small loops under plain argmax.
     */
    static final double CONTINUATION_PENALTY = 1.3;

    private void continuations(Path documents) throws IOException {
        out.printf("%n### Greedy continuations of held-out Brown openings%n%n"
                + "| prompt | continuation (argmax) | continuation (argmax of logits with repetition penalty %.1f) |%n|---|---|---|%n",
                CONTINUATION_PENALTY);
        int shown = 0;
        for (String line : Files.readAllLines(documents)) {
            JsonNode d = JSON.readTree(line);
            if (!d.get("split").asText().equals(split) || shown >= 5) continue;
            String[] words = d.get("text").asText().trim().split("\\s+");
            String prompt = String.join(" ", Arrays.copyOf(words, 12));
            int[] ids = tok.encode(prompt, true);
            GenerationResult r = gen.generate(ids, SamplingParams.greedy(32), TokenListener.NONE);
            GenerationResult p = gen.generate(ids,
                    SamplingParams.greedy(32).toBuilder().repetitionPenalty(CONTINUATION_PENALTY).build(), TokenListener.NONE);
            out.printf("| %s (%s) | %s | %s |%n", cell(prompt), d.get("genre").asText(), cell(r.text()), cell(p.text()));
            shown++;
        }
    }

    private void icl(Path tasks, int perTask, int shots) throws IOException {
        out.printf(Locale.ROOT, "%n### In-context learning, exact match of the first line (greedy), %d %s queries per task%n%n"
                + "| task | 0-shot | %d-shot |%n|---|---|---|%n", perTask, split, shots);
        double zeroSum = 0, fewSum = 0;
        int n = 0;
        List<Path> files;
        try (var s = Files.list(tasks)) {
            files = s.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
        }
        for (Path f : files) {
            List<JsonNode> train = new ArrayList<>(), test = new ArrayList<>();
            for (String line : Files.readAllLines(f)) {
                JsonNode e = JSON.readTree(line);
                (e.get("split").asText().equals("train") ? train : e.get("split").asText().equals(split) ? test : new ArrayList<JsonNode>()).add(e);
            }
            List<JsonNode> queries = test.subList(0, Math.min(perTask, test.size()));
            List<IclTasks.Example> examples = train.stream()
                    .map(e -> new IclTasks.Example(e.get("input").asText(), e.get("output").asText())).toList();
            String demo = IclPrompt.demonstrations(IclPrompt.fixedShots(examples, shots));
            double zero = accuracy(queries, "");
            double few = accuracy(queries, demo);
            String task = f.getFileName().toString().replace(".jsonl", "");
            out.printf(Locale.ROOT, "| %s | %.0f%% | %.0f%% |%n", task, 100 * zero, 100 * few);
            zeroSum += zero;
            fewSum += few;
            n++;
        }
        out.printf(Locale.ROOT, "| **mean** | **%.0f%%** | **%.0f%%** |%n", 100 * zeroSum / n, 100 * fewSum / n);
    }

    private double accuracy(List<JsonNode> queries, String demo) {
        List<String> prompts = new ArrayList<>(), answers = new ArrayList<>();
        for (JsonNode q : queries) {
            prompts.add(demo + IclPrompt.query(q.get("input").asText()));
            answers.add(q.get("output").asText());
        }
        List<String> outs = generateAll(prompts, 8);
        int ok = 0;
        for (int i = 0; i < outs.size(); i++) if (IclPrompt.firstLineMatches(outs.get(i), answers.get(i))) ok++;
        return (double) ok / outs.size();
    }

    private void passKey(Path file) throws IOException {
        List<String> prompts = new ArrayList<>(), answers = new ArrayList<>();
        int skipped = 0;
        for (String line : Files.readAllLines(file)) {
            JsonNode d = JSON.readTree(line);
            if (!d.get("split").asText().equals(split)) continue;
            String text = d.get("text").asText();
            if (tok.encode(text, true).length + 8 > context) {
                skipped++;
                continue;
            }
            prompts.add(text);
            answers.add(d.get("answer").asText());
        }
        List<String> outs = generateAll(prompts, 8);
        int ok = 0, firstThree = 0;
        for (int i = 0; i < outs.size(); i++) {
            String got = outs.get(i).trim(), key = answers.get(i);
            if (got.startsWith(key)) ok++;
            if (got.startsWith(key.substring(0, Math.min(3, key.length())))) firstThree++;
        }
        double n = Math.max(1, outs.size());
        out.printf(Locale.ROOT, "%n### Pass-key retrieval within the training length (%d tokens, %s split)%n%n"
                        + "| documents | correct | accuracy | first three digits right | longer documents not scored |%n"
                        + "|---|---|---|---|---|%n| %d | %d | %.1f%% | %.1f%% | %d |%n",
                context, split, outs.size(), ok, 100.0 * ok / n, 100.0 * firstThree / n, skipped);
    }

    /**
     * Refusal rate per family over every request of the split, and per family by how the request is
     * held out: a template training never saw, or an unseen object of a training template.
     */
    private void refusal(Path file) throws IOException {
        List<JsonNode> dialogues = new ArrayList<>();
        for (String line : Files.readAllLines(file)) dialogues.add(JSON.readTree(line));
        Set<String> trainTemplates = new java.util.HashSet<>();
        for (JsonNode d : dialogues) if (d.get("split").asText().equals("train")) trainTemplates.add(d.get("template").asText());
        Map<String, List<String>> rows = new TreeMap<>(java.util.Comparator.<String, String>comparing(k -> k.substring(0, k.indexOf(' ')),
                Refusals.FAMILY_ORDER).thenComparing(k -> k));
        for (JsonNode d : dialogues) {
            if (!d.get("split").asText().equals(split)) continue;
            String rendered = tok.chatTemplate().orElseThrow().render(
                    List.of(new ChatMessage("user", d.get("prompt").asText())), true);
            String family = d.get("family").asText();
            boolean newTemplate = !trainTemplates.contains(d.get("template").asText());
            rows.computeIfAbsent(family + " all", k -> new ArrayList<>()).add(rendered);
            rows.computeIfAbsent(family + (newTemplate ? " template" : " object"), k -> new ArrayList<>()).add(rendered);
        }
        out.printf(Locale.ROOT, "%n### Refusal rate on held-out requests (%s split, greedy, %d tokens)%n%n"
                + "| family | held out | requests | refused | share | 95%% interval |%n|---|---|---|---|---|---|%n", split, REFUSAL_TOKENS);
        Map<String, String> heldOut = Map.of("all", "all", "template", "whole templates", "object", "objects of training templates");
        for (Map.Entry<String, List<String>> e : rows.entrySet()) {
            String[] key = e.getKey().split(" ");
            // the disguised family is held out by template only: its one sub-row would repeat "all"
            if (!key[1].equals("all") && rows.get(key[0] + " all").size() == e.getValue().size()) continue;
            int refused = refused(e.getValue());
            double[] ci = Refusals.wilson(refused, e.getValue().size());
            out.printf(Locale.ROOT, "| %s | %s | %d | %d | %.1f%% | %.0f – %.0f%% |%n", key[0], heldOut.get(key[1]), e.getValue().size(),
                    refused, 100.0 * refused / e.getValue().size(), 100 * ci[0], 100 * ci[1]);
        }
    }

    private static final int REFUSAL_TOKENS = 12;

    private int refused(List<String> rendered) {
        List<int[]> ids = rendered.stream().map(p -> tok.encode(p, false)).toList();
        return (int) BatchGeneration.run(gen, ids, SamplingParams.greedy(REFUSAL_TOKENS)).stream()
                .filter(r -> Refusals.isRefusal(r.text())).count();
    }

    private List<String> generateAll(List<String> prompts, int maxTokens) {
        List<int[]> ids = prompts.stream().map(p -> tok.encode(p, true)).toList();
        return BatchGeneration.run(gen, ids, SamplingParams.greedy(maxTokens)).stream().map(GenerationResult::text).toList();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ⏎ ");
    }
}
