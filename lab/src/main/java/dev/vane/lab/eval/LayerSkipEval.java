package dev.vane.lab.eval;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.Sequence;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.hooks.TensorHooks;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.StepInput;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.lab.train.Losses;
import dev.vane.steering.plan.ArtifactResolver;
import dev.vane.steering.plan.EffectTrace;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.ModelShape;
import dev.vane.steering.plan.PhaseScope;
import dev.vane.steering.plan.SteeringPlan;
import dev.vane.steering.plan.SteeringRow;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code eval layer-skip}: one row of the layer-skipping table (docs/results/layer-skipping.md) — mean
 * layer usage per phase, held-out Brown perplexity and ICL accuracy with LAC in a given mode and
 * α, or the baseline ({@code --mode none}).
 *
 * Perplexity: non-overlapping windows of the model's context over {@code brown/test.txt}, the
 * rule deciding per token (prompt phase). ICL: for each task of {@code icl/tasks}, N-shot prompts
 * from the train split, test-split queries, greedy, exact match of the first line; the rule
 * decides for prompt and generated tokens.
 */
public final class LayerSkipEval {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TensorDecoder model;
    private final Tokenizer tok;
    private final Generator gen;
    private final Optional<SteeringPlan> plan;
    private final NDManager manager = NDManager.newBaseManager();
    private final long[] active = new long[2], decided = new long[2], executed = new long[2], skipped = new long[2];

    private LayerSkipEval(TensorDecoder model, Tokenizer tok, Optional<InterventionSpec.LayerSkip> skip) {
        this.model = model;
        this.tok = tok;
        this.gen = new Generator(model, tok, 8, model.maxPositions());
        ModelShape shape = new ModelShape(model.config().numLayers(), model.config().hiddenSize());
        this.plan = skip.map(k -> SteeringPlan.resolve(List.of(new SteeringPlan.Entry(k, "eval", "layer_skip")), ArtifactResolver.NONE, shape));
    }

    /**
     * What to measure (the flags of {@code vane eval layer-skip}).
     *
     * @param mode   {@code none} (the baseline) or a {@link InterventionSpec.SkipMode}'s name
     * @param header print the table's header before the row
     */
    public record Options(Path model, Path data, String mode, double alpha, double q, int windows, int perTask, int shots,
                          boolean header) {}

    /** Measures and prints the row on {@code out}. */
    public static void run(Options o, PrintStream out) throws IOException {
        Path modelDir = o.model(), data = o.data();
        String mode = o.mode();
        double alpha = o.alpha();
        double q = o.q();
        int windows = o.windows();
        int perTask = o.perTask();
        int shots = o.shots();
        Optional<InterventionSpec.LayerSkip> skip = mode.equals("none") ? Optional.empty()
                : Optional.of(new InterventionSpec.LayerSkip(InterventionSpec.SkipMode.parse(mode), alpha, q, PhaseScope.BOTH));
        try (TensorDecoder model = ModelLoader.loadTensor(modelDir, ComputeDType.F32, 0); Tokenizer tok = Tokenizer.load(modelDir)) {
            LayerSkipEval e = new LayerSkipEval(model, tok, skip);
            double ppl = e.perplexity(data.resolve("brown/test.txt"), windows);
            double icl = e.icl(data.resolve("icl/tasks"), perTask, shots);
            if (o.header())
                out.println("| mode | α | q | layer usage, prompt | layer usage, generation | layers skipped, prompt | layers skipped, generation"
                        + " | Brown test ppl | ICL " + shots + "-shot accuracy |\n|---|---|---|---|---|---|---|---|---|");
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %.2f | %.1f%% |%n", mode,
                    skip.isPresent() ? String.valueOf(alpha) : "–", mode.equals("skip-set") ? String.valueOf(q) : "–",
                    e.usage(Phase.PROMPT), e.usage(Phase.GENERATION), e.skippedShare(Phase.PROMPT), e.skippedShare(Phase.GENERATION),
                    ppl, 100 * icl);
            e.close();
        }
    }

    private void close() {
        gen.close();
        manager.close();
    }

    private RowHooks bind() {
        return plan.<RowHooks>map(p -> p.bind()).orElse(RowHooks.NONE);
    }

    private void record(RowHooks row) {
        if (!(row instanceof SteeringRow r)) return;
        EffectTrace t = r.trace().get(0);
        for (Phase p : Phase.values()) {
            active[p.ordinal()] += t.layersActive(p);
            decided[p.ordinal()] += t.layersDecided(p);
            executed[p.ordinal()] += t.layersExecuted(p);
            skipped[p.ordinal()] += t.layersSkipped(p);
        }
        r.close();
    }

    /** The rule's decisions: share of the (token, layer) pairs it decided that were active. */
    private String usage(Phase p) {
        int i = p.ordinal();
        if (plan.isEmpty()) return "100% (all run)";
        return decided[i] == 0 ? "– (not decided)" : String.format(Locale.ROOT, "%.1f%%", 100.0 * active[i] / decided[i]);
    }

    /** The work: share of the phase's (token, layer) pairs whose products were left out. */
    private String skippedShare(Phase p) {
        int i = p.ordinal();
        long slots = executed[i] + skipped[i];
        return slots == 0 ? "0%" : String.format(Locale.ROOT, "%.1f%%", 100.0 * skipped[i] / slots);
    }

    /** Perplexity over non-overlapping context windows of the text (rule decides per token). */
    private double perplexity(Path text, int maxWindows) throws IOException {
        int[] ids = tok.encode(Files.readString(text), false);
        int context = Math.min(model.maxPositions(), 256);
        double sum = 0;
        int n = 0;
        for (int start = 0; start + context + 1 <= ids.length && n < maxWindows; start += context, n++) {
            int[] in = Arrays.copyOfRange(ids, start, start + context);
            int[] target = Arrays.copyOfRange(ids, start + 1, start + context + 1);
            RowHooks row = bind();
            try (NDScope s = new NDScope()) {
                sum += Losses.crossEntropy(model.forward(StepInput.prompt(in, 0),
                        StepHooks.of(List.of(row)), LogitsMode.ALL), new int[][] {target}).getFloat();
            }
            record(row);
        }
        if (n == 0) throw new IllegalArgumentException(text + ": shorter than one window of " + context + " tokens");
        return Math.exp(sum / n);
    }

    /** Mean exact-match accuracy of N-shot prompts over the tasks. */
    private double icl(Path tasks, int perTask, int shots) throws IOException {
        List<Path> files;
        try (var s = Files.list(tasks)) {
            files = s.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
        }
        if (files.isEmpty()) throw new IllegalArgumentException(tasks + ": no task files");
        double total = 0;
        for (Path f : files) {
            Map<String, List<JsonNode>> split = new HashMap<>();
            for (String line : Files.readAllLines(f)) {
                JsonNode e = JSON.readTree(line);
                split.computeIfAbsent(e.get("split").asText(), k -> new ArrayList<>()).add(e);
            }
            List<JsonNode> train = split.getOrDefault("train", List.of()), test = split.getOrDefault("test", List.of());
            if (train.isEmpty() || test.isEmpty()) throw new IllegalArgumentException(f + ": needs train and test examples");
            StringBuilder demo = new StringBuilder();
            for (int i = 0; i < shots; i++) {
                JsonNode d = train.get(i * 7 % train.size());
                demo.append("Q: ").append(d.get("input").asText()).append("\nA: ").append(d.get("output").asText()).append("\n\n");
            }
            List<JsonNode> queries = test.subList(0, Math.min(perTask, test.size()));
            int ok = 0;
            for (int i = 0; i < queries.size(); i += 8) {
                List<Sequence> batch = new ArrayList<>();
                List<RowHooks> rows = new ArrayList<>();
                for (JsonNode qn : queries.subList(i, Math.min(queries.size(), i + 8))) {
                    RowHooks row = bind();
                    rows.add(row);
                    batch.add(gen.newSequence(tok.encode(demo + "Q: " + qn.get("input").asText() + "\nA:", true),
                            SamplingParams.greedy(8), TokenListener.NONE, row));
                }
                gen.run(batch);
                for (int k = 0; k < batch.size(); k++) {
                    String first = batch.get(k).result().text().split("\n", 2)[0].trim();
                    if (first.equals(queries.get(i + k).get("output").asText())) ok++;
                }
                rows.forEach(this::record);
            }
            total += (double) ok / queries.size();
        }
        return total / files.size();
    }
}
