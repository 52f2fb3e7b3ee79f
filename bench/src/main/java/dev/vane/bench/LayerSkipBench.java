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
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Decode speed against the fraction of layers executed (issue "LAC layer skipping"): first with
 * fixed skip sets (every k-th layer skipped for generated tokens) so the fraction is exact, then
 * with LAC {@code exit} and {@code skip-set} at the given α, reporting the fraction the rule
 * chose. One JSON line per configuration and run.
 *
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
        int ctx = promptLen + genLen + 2;
        try (CausalLM model = ModelLoader.load(dir, setup.load(ctx));
             Tokenizer tok = Tokenizer.load(dir);
             Generator gen = new Generator(model, tok, 1, ctx)) {
            int layers = model.config().numLayers();
            ModelShape shape = new ModelShape(layers, model.config().hiddenSize());
            for (int r = -1; r < runs; r++) {
                for (double fraction : fractions) {
                    BitSet skip = evenlySkipped(layers, fraction);
                    double tokS = decode(gen, model, promptLen, genLen, fixedSkip(skip));
                    if (r >= 0) print(label, dtype, threads, BenchSetup.name(model.backend()), "fixed", 1.0 - (double) skip.cardinality() / layers, tokS, r);
                }
                for (InterventionSpec.SkipMode mode : List.of(InterventionSpec.SkipMode.EXIT, InterventionSpec.SkipMode.SKIP_SET)) {
                    SteeringRow row = SteeringPlan.resolve(List.of(new SteeringPlan.Entry(
                                    new InterventionSpec.LayerSkip(mode, alpha, q, PhaseScope.BOTH), "bench", "bench")),
                            ArtifactResolver.NONE, shape).bind();
                    double tokS = decode(gen, model, promptLen, genLen, row);
                    EffectTrace t = row.trace().get(0);
                    double executed = 1.0 - (double) t.layersSkipped(Phase.GENERATION) / Math.max(1, t.layersDecided(Phase.GENERATION));
                    if (r >= 0) print(label, dtype, threads, BenchSetup.name(model.backend()), mode.jsonName() + "@" + alpha, executed, tokS, r);
                }
            }
        }
        return 0;
    }

    private static void print(String label, ComputeDType dtype, int threads, String backend, String config, double executed, double tokS, int run) {
        System.out.printf(Locale.ROOT, "{\"bench\":\"layer_skip\",\"model\":\"%s\",\"dtype\":\"%s\",\"threads\":%d,\"backend\":\"%s\",\"config\":\"%s\","
                        + "\"layers_executed\":%.3f,\"decode_tok_s\":%.2f,\"run\":%d}%n",
                label, dtype.name().toLowerCase(Locale.ROOT), threads, backend, config, executed, tokS, run);
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

    /** Decode tokens/s after the first token, batch 1. */
    private static double decode(Generator gen, CausalLM model, int promptLen, int genLen, RowHooks hooks) {
        int vocab = model.config().vocabSize();
        int[] prompt = new int[promptLen];
        for (int i = 0; i < promptLen; i++) prompt[i] = (int) ((i * 7919L + 13) % vocab);
        long[] first = new long[1];
        Sequence s = gen.newSequence(prompt, SamplingParams.builder().temperature(0).maxTokens(genLen).ignoreEos(true).build(),
                new TokenListener() {
                    @Override public void onToken(TokenEvent e) { if (first[0] == 0) first[0] = System.nanoTime(); }
                }, hooks);
        gen.run(List.of(s));
        return (genLen - 1) / ((System.nanoTime() - first[0]) / 1e9);
    }
}
