package dev.vane.lab.steering;

import dev.vane.lab.eval.BatchGeneration;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.plan.ArtifactResolver;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.ModelShape;
import dev.vane.steering.plan.SteeringPlan;
import dev.vane.steering.plan.SteeringRow;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Genre steering, measured (docs/lab.md, "eval steering"): continuations of neutral prompts (openings of
 * held-out documents of other genres) are generated with and without one intervention, with the
 * same sampling and the same per-prompt seeds in both arms; the genre classifier judges each
 * continuation (the prompt itself is not classified). The cost is the perplexity of held-out Brown
 * text with the intervention applied at every position vs without.
 */
public final class GenreEval {

    /**
     * @param target      the genre steered towards
     * @param prompts     neutral prompts used (the first of {@link SteeringSets#evalPrompts})
     * @param maxTokens   tokens generated per continuation
     * @param seed        prompt i samples with seed {@code seed + i} in both arms
     * @param temperature sampling temperature (0 = greedy)
     * @param pplWindows  perplexity windows over the held-out text
     * @param pplTokens   tokens per window
     */
    public record Options(String target, int prompts, int maxTokens, long seed, double temperature, int pplWindows, int pplTokens) {
        public Options {
            if (prompts < 1 || maxTokens < 1 || pplWindows < 1 || pplTokens < 1)
                throw new IllegalArgumentException("prompts, max tokens and perplexity windows/tokens must be >= 1");
        }
    }

    /** One arm: continuations, how many the classifier gave the target genre, perplexity. */
    public record Arm(List<String> continuations, List<String> genres, int targetHits, double loss) {
        public double share() { return (double) targetHits / continuations.size(); }
        public double perplexity() { return Math.exp(loss); }
    }

    /**
     * @param steeredPositions positions the intervention acted on during generation, all prompts
     */
    public record Result(String method, String artifact, String params, Options options, List<SteeringSets.EvalPrompt> prompts,
                         Arm steered, Arm unsteered, long steeredPositions) {

        public static final String HEADER = "| method | artifact | parameters | target | target share, steered | target share, unsteered "
                + "| perplexity, steered | perplexity, unsteered | prompts × tokens |\n|---|---|---|---|---|---|---|---|---|";

        /** The Markdown table row of {@link #HEADER}. */
        public String row() {
            int n = prompts.size();
            return String.format(Locale.ROOT, "| %s | %s | %s | %s | %.0f%% (%d/%d) | %.0f%% (%d/%d) | %.2f (%+.1f%%) | %.2f | %d × %d |",
                    method, artifact, params, options.target(), 100 * steered.share(), steered.targetHits(), n,
                    100 * unsteered.share(), unsteered.targetHits(), n, steered.perplexity(),
                    100 * (steered.perplexity() / unsteered.perplexity() - 1), unsteered.perplexity(), n, options.maxTokens());
        }
    }

    private GenreEval() {}

    /**
     * Runs both arms. {@code spec} is one vector or G-ACT intervention; {@code docs} the demo
     * corpus's Brown documents (eval prompts from the test split, perplexity text = every
     * test-split document).
     */
    public static Result run(Generator gen, ArtifactResolver artifacts, InterventionSpec spec, List<BrownDocument> docs,
                             GenreClassifier classifier, Options o) {
        if (!(gen.model() instanceof TensorDecoder model))
            throw new IllegalArgumentException("the genre evaluation scores perplexity on the tensor decoder, not " + gen.model().backend());
        Tokenizer tok = gen.tokenizer();
        if (!(spec instanceof InterventionSpec.Vector || spec instanceof InterventionSpec.Gact))
            throw new IllegalArgumentException("genre steering takes a vector or G-ACT intervention, not " + spec.method().jsonName());
        if (!classifier.genres().contains(o.target()))
            throw new IllegalArgumentException("--target: the classifier has no genre '" + o.target() + "' (" + classifier.genres() + ")");
        SteeringPlan plan = SteeringPlan.resolve(List.of(new SteeringPlan.Entry(spec, "eval", "intervention")), artifacts,
                new ModelShape(model.config().numLayers(), model.config().hiddenSize()));
        List<SteeringSets.EvalPrompt> all = SteeringSets.evalPrompts(docs, o.target());
        if (all.size() < o.prompts())
            throw new IllegalArgumentException("--prompts " + o.prompts() + ": the corpus has only " + all.size()
                    + " evaluation prompts for genre '" + o.target() + "'");
        List<SteeringSets.EvalPrompt> prompts = all.subList(0, o.prompts());
        List<int[]> ids = prompts.stream().map(p -> tok.encode(p.text(), true)).toList();
        SamplingParams base = SamplingParams.builder().temperature(o.temperature()).maxTokens(o.maxTokens()).build();
        AtomicLong positions = new AtomicLong();
        List<SteeringRow> rows = new ArrayList<>();
        List<GenerationResult> steered = BatchGeneration.run(gen, ids, i -> base.toBuilder().seed(o.seed() + i).build(), i -> {
            SteeringRow r = plan.bind();
            rows.add(r);
            return r;
        });
        for (SteeringRow r : rows) r.trace().forEach(t -> positions.addAndGet(t.positions()));
        List<GenerationResult> unsteered = BatchGeneration.run(gen, ids, i -> base.toBuilder().seed(o.seed() + i).build(),
                i -> RowHooks.NONE);
        String heldOut = docs.stream().filter(d -> d.split().equals("test")).map(BrownDocument::text).collect(Collectors.joining("\n\n"));
        int length = Math.min(o.pplTokens(), model.maxPositions() - 1);
        List<int[]> windows = SteeredPerplexity.windows(tok.encode(heldOut, false), o.pplWindows(), length);
        double steeredLoss = SteeredPerplexity.meanLoss(model, windows, () -> plan.bind());
        double baseLoss = SteeredPerplexity.meanLoss(model, windows, () -> RowHooks.NONE);
        return new Result(spec.method().jsonName(), spec.artifact(), params(spec), o, prompts,
                arm(steered, classifier, o.target(), steeredLoss), arm(unsteered, classifier, o.target(), baseLoss), positions.get());
    }

    private static Arm arm(List<GenerationResult> results, GenreClassifier classifier, String target, double loss) {
        List<String> texts = results.stream().map(GenerationResult::text).toList();
        List<String> genres = texts.stream().map(t -> classifier.genreOf(t).orElse("-")).toList();
        int hits = (int) genres.stream().filter(target::equals).count();
        return new Arm(texts, genres, hits, loss);
    }

    /** The intervention's parameters as the table shows them. */
    static String params(InterventionSpec spec) {
        return switch (spec) {
            case InterventionSpec.Vector v -> String.format(Locale.ROOT, "scale %s, layers %s, %s", num(v.scale()),
                    v.layers().map(Object::toString).orElse("all"), v.phase().jsonName());
            case InterventionSpec.Gact g -> String.format(Locale.ROOT, "alpha %s, %s, layers %s, %s", num(g.alpha()),
                    g.select().jsonName(), g.layers().map(Object::toString).orElse("all probed"), g.phase().jsonName());
            case InterventionSpec.Controller c -> String.format(Locale.ROOT, "alpha %s, %s%s",
                    c.alpha().isPresent() ? num(c.alpha().getAsDouble()) : "the artifact's", c.mode().jsonName(),
                    c.squash() ? ", squash" : "");
            default -> spec.toString();
        };
    }

    static String num(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e9 ? Long.toString((long) x) : Double.toString(x);
    }
}
