package dev.vane.bench;

import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.Sequence;
import dev.vane.engine.generate.TokenEvent;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.plan.ArtifactResolver;
import dev.vane.steering.plan.EffectTrace;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.ModelShape;
import dev.vane.steering.plan.PhaseScope;
import dev.vane.steering.plan.SteeringPlan;
import dev.vane.steering.plan.SteeringRow;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Decode speed against the layers executed: first with fixed skip sets (layers spread evenly,
 * skipped for generated tokens by the first {@code --skipping-rows} of the {@code --batch} rows)
 * so the fraction is exact, then with LAC {@code exit} and {@code skip-set} at the given α on
 * every row, reporting the fraction the rule chose. One JSON line per configuration and run.
 *
 * <p>Each fixed line also says what the skips predict: {@code bytes_read} is the share of the
 * step's weight bytes still read (a layer when any row runs it, else only its K/V projections; the
 * LM head always), the memory-bound prediction of step time; {@code products_run} the share of weight·row products
 * still computed, the compute-bound prediction. {@code step_ms} is the median decode step.
 */
@Command(name = "vane bench LayerSkipBench", sortOptions = false, description =
        "Decode speed against the fraction of layers executed: fixed skip sets, then LAC exit and skip-set, one JSON line per configuration and run.")
public final class LayerSkipBench implements Callable<Integer> {

    @Mixin
    BenchModel m;
    @Mixin
    EngineThreads engine;
    @Option(names = "--runs", defaultValue = "2", paramLabel = "N", description = "measured runs (${DEFAULT-VALUE})")
    int runs;
    @Option(names = "--fractions", defaultValue = "1,0.75,0.5,0.25", split = ",", paramLabel = "F,F,...",
            description = "fractions of layers executed by the fixed skip sets (${DEFAULT-VALUE})")
    List<Double> fractions;
    @Option(names = "--alpha", defaultValue = "0.8", paramLabel = "A", description = "LAC threshold alpha (${DEFAULT-VALUE})")
    double alpha;
    @Option(names = "--q", defaultValue = "0.5", paramLabel = "Q", description = "skip-set quantile (${DEFAULT-VALUE})")
    double q;
    @Option(names = "--batch", defaultValue = "1", paramLabel = "B", description = "rows decoded together (${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--skipping-rows", defaultValue = "1", paramLabel = "F",
            description = "share of the rows that take the fixed skip sets; the others run every layer (${DEFAULT-VALUE})")
    double skippingShare;

    public static void main(String[] args) {
        BenchCli.main(new LayerSkipBench(), args);
    }

    @Override
    public Integer call() throws Exception {
        BenchSetup setup = BenchSetup.of(m, engine); // engine threads as the server runs them
        int threads = setup.threads(), promptLen = setup.promptLen(), genLen = setup.genLen();
        ComputeDType dtype = setup.dtype();
        Path dir = setup.dir();
        String label = setup.label();
        DecodeBench.withTokenizer(dir);
        if (batch < 1) throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--batch: expected >= 1, got " + batch);
        if (!(skippingShare >= 0 && skippingShare <= 1))
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--skipping-rows: expected a share in [0, 1], got " + skippingShare);
        int skipping = (int) Math.round(batch * skippingShare);
        int ctx = promptLen + genLen + 2;
        try (CausalLM model = ModelLoader.load(dir, setup.load(ctx));
             Tokenizer tok = Tokenizer.load(dir);
             Generator gen = new Generator(model, tok, batch, ctx)) {
            int layers = model.config().numLayers();
            ModelShape shape = new ModelShape(layers, model.config().hiddenSize());
            Weights weights = Weights.of(model.config());
            for (int r = -1; r < runs; r++) {
                for (double fraction : fractions) {
                    BitSet skip = evenlySkipped(layers, fraction);
                    List<RowHooks> rows = new ArrayList<>();
                    for (int i = 0; i < batch; i++) rows.add(i < skipping ? fixedSkip(skip) : RowHooks.NONE);
                    Speed speed = decode(gen, model, promptLen, genLen, rows);
                    double executed = 1.0 - (double) skip.cardinality() * skipping / ((double) layers * batch);
                    if (r >= 0) print(label, dtype, threads, BenchSetup.name(model.backend()), "fixed", executed, speed, r,
                            String.format(Locale.ROOT, ",\"skipping_rows\":%d,\"bytes_read\":%.3f,\"products_run\":%.3f", skipping,
                                    weights.bytesRead(layers, skip, skipping, batch), weights.productsRun(layers, skip, skipping, batch)));
                }
                for (InterventionSpec.SkipMode mode : List.of(InterventionSpec.SkipMode.EXIT, InterventionSpec.SkipMode.SKIP_SET)) {
                    List<SteeringRow> plans = new ArrayList<>();
                    for (int i = 0; i < batch; i++)
                        plans.add(SteeringPlan.resolve(List.of(new SteeringPlan.Entry(
                                        new InterventionSpec.LayerSkip(mode, alpha, q, PhaseScope.BOTH), "bench", "bench")),
                                ArtifactResolver.NONE, shape).bind());
                    Speed speed = decode(gen, model, promptLen, genLen, List.copyOf(plans));
                    long skipped = 0, executedPairs = 0;
                    for (SteeringRow p : plans) {
                        EffectTrace t = p.trace().get(0);
                        skipped += t.layersSkipped(Phase.GENERATION);
                        executedPairs += t.layersExecuted(Phase.GENERATION);
                    }
                    double executed = (double) executedPairs / Math.max(1, executedPairs + skipped);
                    if (r >= 0) print(label, dtype, threads, BenchSetup.name(model.backend()), mode.jsonName() + "@" + alpha, executed, speed, r, "");
                }
            }
        }
        return 0;
    }

    private void print(String label, ComputeDType dtype, int threads, String backend, String config, double executed, Speed speed, int run,
                       String more) {
        System.out.printf(Locale.ROOT, "{\"bench\":\"layer_skip\",\"model\":\"%s\",\"dtype\":\"%s\",\"threads\":%d,\"backend\":\"%s\",\"batch\":%d,"
                        + "\"config\":\"%s\",\"layers_executed\":%.3f%s,\"decode_tok_s\":%.2f,\"step_ms\":%.2f,\"run\":%d}%n",
                label, dtype.name().toLowerCase(Locale.ROOT), threads, backend, batch, config, executed, more, speed.tokensPerSecond(),
                speed.stepMillis(), run);
    }

    /**
     * Parameters of one layer, of its K/V projections (what a skipped layer still computes) and of
     * the LM head (every layer of these geometries has the same shapes).
     */
    record Weights(long layer, long keysValues, long head) {
        static Weights of(dev.vane.engine.config.ModelConfig c) {
            long d = c.hiddenSize(), dh = c.headDim(), kv = 2L * c.numKvHeads() * dh * d;
            long attention = (long) c.numHeads() * dh * d + kv + (long) c.numHeads() * dh * d;
            return new Weights(attention + 3 * d * c.intermediateSize(), kv, (long) c.vocabSize() * d);
        }

        /** Share of the weight bytes one step reads: a layer when any row runs it, else its K/V projections; the head always. */
        double bytesRead(int layers, BitSet skip, int skipping, int batch) {
            int skipped = skipping == batch ? skip.cardinality() : 0;
            return ((layers - skipped) * (double) layer + skipped * (double) keysValues + head) / (layers * (double) layer + head);
        }

        /** Share of the weight·row products one step computes (a skipping row's skipped layer: its K/V products). */
        double productsRun(int layers, BitSet skip, int skipping, int batch) {
            double skippedRowsLayers = (double) skip.cardinality() * skipping;
            double all = (double) layers * batch * layer + (double) batch * head;
            return (all - skippedRowsLayers * (layer - keysValues)) / all;
        }
    }

    /** Layers to skip so that about {@code fraction} of them run, spread evenly (never the first or last). */
    static BitSet evenlySkipped(int layers, double fraction) {
        int skip = (int) Math.round(layers * (1 - fraction));
        BitSet b = new BitSet(layers);
        for (int i = 0; i < skip; i++) b.set(1 + (int) ((long) i * (layers - 2) / Math.max(1, skip)));
        return b;
    }

    /** Skips the given layers for generated tokens. */
    private static RowHooks fixedSkip(BitSet layers) {
        return new RowHooks() {
            @Override public boolean actsAt(HookSite site, StepContext.Row row) { return false; }
            @Override public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {}
            @Override public BitSet skips(int layer, StepContext.Row row) {
                if (row.phase() != Phase.GENERATION || !layers.get(layer)) return NO_SKIPS;
                BitSet b = new BitSet();
                b.set(0, row.length());
                return b;
            }
        };
    }

    /** Decode tokens/s over all rows after the first step, and the median step time. */
    record Speed(double tokensPerSecond, double stepMillis) {}

    /** One sequence per entry of {@code rows}, decoded together; times the steps after every row's first token. */
    private static Speed decode(Generator gen, CausalLM model, int promptLen, int genLen, List<RowHooks> rows) {
        int vocab = model.config().vocabSize();
        List<Long> stepEnds = new ArrayList<>(); // the first row's token times: one per step
        List<Sequence> seqs = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            int[] prompt = new int[promptLen];
            for (int t = 0; t < promptLen; t++) prompt[t] = (int) ((t * 7919L + 13 + i * 101L) % vocab);
            TokenListener timing = i == 0 ? new TokenListener() {
                @Override public void onToken(TokenEvent e) { stepEnds.add(System.nanoTime()); }
            } : TokenListener.NONE;
            seqs.add(gen.newSequence(prompt, SamplingParams.builder().temperature(0).maxTokens(genLen).ignoreEos(true).build(), timing,
                    rows.get(i)));
        }
        gen.run(seqs);
        long[] steps = new long[stepEnds.size() - 1];
        for (int k = 1; k < stepEnds.size(); k++) steps[k - 1] = stepEnds.get(k) - stepEnds.get(k - 1);
        Arrays.sort(steps);
        double seconds = (stepEnds.get(stepEnds.size() - 1) - stepEnds.get(0)) / 1e9;
        return new Speed(rows.size() * (genLen - 1) / seconds, steps[steps.length / 2] / 1e6);
    }
}
