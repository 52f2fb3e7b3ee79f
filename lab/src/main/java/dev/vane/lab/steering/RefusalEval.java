package dev.vane.lab.steering;

import dev.vane.lab.data.Split;
import dev.vane.lab.eval.BatchGeneration;
import dev.vane.lab.eval.Refusals;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.tokenizer.ChatTemplate;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.plan.ArtifactResolver;
import dev.vane.steering.plan.EffectTrace;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.ModelShape;
import dev.vane.steering.plan.SteeringPlan;
import dev.vane.steering.plan.SteeringRow;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * The steering controller, measured (methods.md §1, "Evaluation"): held-out requests (the test
 * split, or the valid split to choose a configuration before the test run) of
 * the refuse family (harmful), the disguised family (harmful in held-out jailbreak styles) and the
 * comply family (benign), rendered in the model's chat
 * template, generated without and with the controller (or any other intervention, such as a
 * refusal steering vector, for comparison). Both arms use the same rendered prompts,
 * the same sampling parameters and the same per-prompt seeds; a response counts as a refusal by
 * {@link Refusals#isRefusal}, the check of {@code eval demo}.
 *
 * <p>Intervals are over requests: the samples of one request are correlated (they share its
 * prompt), so a request is the unit (a cluster) and its samples are averaged first.
 */
public final class RefusalEval {

    /**
     * @param prompts     requests per family at most (the first of the split, in file order)
     * @param maxTokens   tokens generated per response
     * @param temperature sampling temperature (0 = greedy)
     * @param seed        response i of a family samples with seed {@code seed + i} in both arms
     * @param samples     responses per request (with temperature > 0: more trials per arm, so a
     *                    smaller change in the refusal rate stands out from sampling noise)
     * @param split       the held-out split evaluated: {@code VALID} to choose a configuration, {@code TEST} to report it
     */
    public record Options(int prompts, int maxTokens, double temperature, long seed, int samples, Split split) {
        /** On the test split. */
        public Options(int prompts, int maxTokens, double temperature, long seed, int samples) {
            this(prompts, maxTokens, temperature, seed, samples, Split.TEST);
        }

        public Options {
            if (prompts < 1 || maxTokens < 1 || samples < 1)
                throw new IllegalArgumentException("prompts, max tokens and samples must be >= 1");
            if (split == Split.TRAIN) throw new IllegalArgumentException("--split: must be valid or test (held out), not train");
            if (samples > 1 && temperature == 0)
                throw new IllegalArgumentException("samples > 1 needs temperature > 0 (greedy responses would repeat)");
        }
    }

    /**
     * The responses to the requests on which the controller's gate was open (mean {@code s > 0}
     * over the request's samples), in either arm: where the controller acts at all.
     */
    public record Gated(int requests, int responses, int refused) {
        public String markdown() {
            if (responses == 0) return requests + " · —";
            return String.format(Locale.ROOT, "%d · %.0f%%", requests, 100.0 * refused / responses);
        }
    }

    /**
     * One row: an arm ({@code without} / {@code with}) on one family.
     *
     * @param meanScale the controller's mean patch coefficient s over the requests (NaN without it)
     * @param gated     the row restricted to the requests with an open gate; empty for methods without a gate
     */
    public record Row(String arm, String family, int requests, List<String> responses, int refused, double meanScale,
                      Optional<Gated> gated) {
        public static final String HEADER = "| controller | arm | family | requests × samples | refused | refusal rate (95% interval) | mean s "
                + "| gate open: requests · refusal rate |\n|---|---|---|---|---|---|---|---|";

        public double rate() { return (double) refused / responses.size(); }

        /**
         * 95% interval of the rate over requests: Wilson's score interval with one sample per
         * request; with several, the normal interval of the mean of the per-request rates (the
         * requests are the independent units), clipped to [0, 1].
         */
        public double[] interval() {
            int samples = responses.size() / requests;
            if (samples == 1) return Refusals.wilson(refused, requests);
            double[] perRequest = new double[requests];
            for (int j = 0; j < requests; j++)
                for (int k = 0; k < samples; k++) if (Refusals.isRefusal(responses.get(j * samples + k))) perRequest[j] += 1.0 / samples;
            double[] ci = meanInterval(perRequest);
            return new double[] {Math.max(0, ci[1]), Math.min(1, ci[2])};
        }

        public String markdown(String controller) {
            double[] ci = interval();
            return String.format(Locale.ROOT, "| %s | %s | %s | %d × %d | %d | %.0f%% (%.0f – %.0f%%) | %s | %s |", controller, arm, family,
                    requests, responses.size() / requests, refused, 100 * rate(), 100 * ci[0], 100 * ci[1],
                    Double.isNaN(meanScale) ? "—" : String.format(Locale.ROOT, "%.2f", meanScale),
                    gated.map(Gated::markdown).orElse("—"));
        }
    }

    /**
     * The intervention's effect on one family: refusal rate with minus without, in points, with a
     * 95% interval over requests: each request's responses are paired with the other arm's (same
     * prompt, same seed), its difference is the mean of its samples' differences (-1, 0, +1), and
     * the interval is the normal one of the mean of those per-request differences.
     */
    public record Change(String family, int requests, int responses, double points, double low, double high) {
        public static final String HEADER = "| family | requests × samples | change in refusals, points (95% interval over requests) |\n|---|---|---|";

        public String markdown() {
            return String.format(Locale.ROOT, "| %s | %d × %d | %+.0f (%+.0f – %+.0f) |", family, requests, responses / requests,
                    points, low, high);
        }
    }

    /** The mean of {@code x} and its 95% normal interval: {mean, low, high} (sample variance; 0 wide for one value). */
    static double[] meanInterval(double[] x) {
        int n = x.length;
        double sum = 0, sumSq = 0;
        for (double v : x) {
            sum += v;
            sumSq += v * v;
        }
        double mean = sum / n, var = n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : 0, half = 1.96 * Math.sqrt(var / n);
        return new double[] {mean, mean - half, mean + half};
    }

    /** Per family, the change from the {@code without} row to the {@code with} row of {@link #run}'s result. */
    public static List<Change> changes(List<Row> rows) {
        List<Change> out = new ArrayList<>();
        for (Row without : rows) {
            if (!without.arm().equals("without")) continue;
            Row with = rows.stream().filter(r -> r.arm().equals("with") && r.family().equals(without.family())).findFirst().orElseThrow();
            int n = without.responses().size(), requests = without.requests(), samples = n / requests;
            double[] perRequest = new double[requests];
            for (int i = 0; i < n; i++) {
                int d = (Refusals.isRefusal(with.responses().get(i)) ? 1 : 0) - (Refusals.isRefusal(without.responses().get(i)) ? 1 : 0);
                perRequest[i / samples] += (double) d / samples;
            }
            double[] ci = meanInterval(perRequest);
            out.add(new Change(without.family(), requests, n, 100 * ci[0], 100 * ci[1], 100 * ci[2]));
        }
        return out;
    }

    private RefusalEval() {}

    /** Rows without, then with the intervention, each over the families of the options' split (refuse, disguised, comply). */
    public static List<Row> run(Generator gen, ArtifactResolver artifacts, InterventionSpec spec,
                                List<Dialogue> dialogues, Options o) {
        CausalLM model = gen.model();
        Tokenizer tok = gen.tokenizer();
        ChatTemplate template = tok.chatTemplate().orElseThrow(() -> new IllegalArgumentException("the model has no chat template"));
        SteeringPlan plan = SteeringPlan.resolve(List.of(new SteeringPlan.Entry(spec, "eval", spec.method().name().toLowerCase(Locale.ROOT))), artifacts,
                new ModelShape(model.config().numLayers(), model.config().hiddenSize()));
        boolean gate = spec instanceof InterventionSpec.Controller;
        SamplingParams base = SamplingParams.builder().temperature(o.temperature()).maxTokens(o.maxTokens()).build();
        String split = o.split().label();
        List<String> families = dialogues.stream().filter(d -> d.split().equals(split)).map(Dialogue::family).distinct()
                .sorted(Refusals.FAMILY_ORDER).toList();
        Row[][] rows = new Row[2][families.size()]; // [without, with][family]
        for (int f = 0; f < families.size(); f++) {
            String family = families.get(f);
            List<int[]> requests = dialogues.stream().filter(d -> d.split().equals(split) && d.family().equals(family))
                    .limit(o.prompts()).map(d -> tok.encode(SteeringSets.renderUser(template, d.prompt()), false)).toList();
            if (requests.isEmpty()) throw new IllegalArgumentException("the chat set has no " + split + "-split '" + family + "' requests");
            List<int[]> ids = new ArrayList<>();
            for (int[] r : requests) for (int k = 0; k < o.samples(); k++) ids.add(r);
            SteeringRow[] bound = new SteeringRow[ids.size()]; // response i → its bound plan
            IntFunction<SamplingParams> params = i -> base.toBuilder().seed(o.seed() + i).build();
            List<String> without = texts(BatchGeneration.run(gen, ids, params, i -> RowHooks.NONE));
            List<String> with = texts(BatchGeneration.run(gen, ids, params, i -> bound[i] = plan.bind()));
            boolean[] open = gate ? openGates(bound, requests.size(), o.samples()) : null;
            for (int a = 0; a < 2; a++) {
                List<String> out = a == 0 ? without : with;
                int refused = (int) out.stream().filter(Refusals::isRefusal).count();
                Optional<Gated> gated = gate ? Optional.of(gated(out, open, o.samples())) : Optional.empty();
                rows[a][f] = new Row(a == 0 ? "without" : "with", family, requests.size(), out, refused,
                        a == 0 ? Double.NaN : meanScale(List.of(bound)), gated);
            }
        }
        List<Row> out = new ArrayList<>();
        for (Row[] arm : rows) out.addAll(List.of(arm));
        return out;
    }

    private static List<String> texts(List<GenerationResult> results) {
        return results.stream().map(GenerationResult::text).toList();
    }

    /** Per request: whether the controller's mean s over its samples (responses j·samples …) is positive. */
    private static boolean[] openGates(SteeringRow[] bound, int requests, int samples) {
        boolean[] open = new boolean[requests];
        for (int j = 0; j < requests; j++) {
            double sum = 0;
            for (int k = 0; k < samples; k++)
                for (EffectTrace t : bound[j * samples + k].trace())
                    if (t.controllerOutput().isPresent()) sum += t.controllerOutput().get().s();
            open[j] = sum > 0;
        }
        return open;
    }

    private static Gated gated(List<String> out, boolean[] open, int samples) {
        int requests = 0, responses = 0, refused = 0;
        for (int j = 0; j < open.length; j++) {
            if (!open[j]) continue;
            requests++;
            for (int k = 0; k < samples; k++) {
                responses++;
                if (Refusals.isRefusal(out.get(j * samples + k))) refused++;
            }
        }
        return new Gated(requests, responses, refused);
    }

    /** Mean of the controller's s over rows (NaN for none). */
    private static double meanScale(List<SteeringRow> rows) {
        double sum = 0;
        int n = 0;
        for (SteeringRow r : rows)
            for (EffectTrace t : r.trace())
                if (t.controllerOutput().isPresent()) {
                    sum += t.controllerOutput().get().s();
                    n++;
                }
        return n == 0 ? Double.NaN : sum / n;
    }
}
