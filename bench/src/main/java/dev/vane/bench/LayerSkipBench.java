package dev.vane.bench;

import ai.djl.ndarray.NDArray;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.Sequence;
import dev.vane.engine.generate.TokenEvent;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.model.Backend;
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

import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decode speed against the fraction of layers executed: first with fixed skip sets (every k-th
 * layer skipped for generated tokens) so the fraction is exact, then with LAC {@code exit} and
 * {@code skip-set} at the given α, reporting the fraction the rule chose. One JSON line per configuration and run.
 *
 * <pre>
 * LayerSkipBench (--model DIR | --preset NAME) [--dtype f16|f32] [--threads N] [--prompt-len 32] [--gen-len 64]
 *                [--runs 2] [--fractions 1,0.75,0.5,0.25] [--alpha 0.8] [--q 0.5]
 * </pre>
 */
public final class LayerSkipBench {

    private LayerSkipBench() {}

    public static void main(String[] args) throws Exception {
        BenchSetup setup = BenchSetup.of(args); // engine threads as the server runs them
        Map<String, String> a = setup.args();
        int threads = setup.threads(), promptLen = setup.promptLen(), genLen = setup.genLen();
        ComputeDType dtype = setup.dtype();
        Path dir = setup.dir();
        String label = setup.label();
        int runs = Integer.parseInt(a.getOrDefault("runs", "2"));
        double alpha = Double.parseDouble(a.getOrDefault("alpha", "0.8"));
        double q = Double.parseDouble(a.getOrDefault("q", "0.5"));
        String[] fractions = a.getOrDefault("fractions", "1,0.75,0.5,0.25").split(",");
        DecodeBench.withTokenizer(dir);
        int ctx = promptLen + genLen + 2;
        try (CausalLM model = ModelLoader.load(dir, setup.load(ctx));
             Tokenizer tok = Tokenizer.load(dir);
             Generator gen = new Generator(model, tok, 1, ctx)) {
            int layers = model.config().numLayers();
            ModelShape shape = new ModelShape(layers, model.config().hiddenSize());
            for (int r = -1; r < runs; r++) {
                for (String f : fractions) {
                    double fraction = Double.parseDouble(f.trim());
                    BitSet skip = evenlySkipped(layers, fraction);
                    double tokS = decode(gen, model, promptLen, genLen, fixedSkip(skip));
                    if (r >= 0) print(label, dtype, threads, model.backend(), "fixed", 1.0 - (double) skip.cardinality() / layers, tokS, r);
                }
                for (InterventionSpec.SkipMode mode : List.of(InterventionSpec.SkipMode.EXIT, InterventionSpec.SkipMode.SKIP_SET)) {
                    SteeringRow row = SteeringPlan.resolve(List.of(new SteeringPlan.Entry(
                                    new InterventionSpec.LayerSkip(mode, alpha, q, PhaseScope.BOTH), "bench", "bench")),
                            ArtifactResolver.NONE, shape).bind();
                    double tokS = decode(gen, model, promptLen, genLen, row);
                    EffectTrace t = row.trace().get(0);
                    double executed = 1.0 - (double) t.layersSkipped(Phase.GENERATION) / Math.max(1, t.layersDecided(Phase.GENERATION));
                    if (r >= 0) print(label, dtype, threads, model.backend(), mode.jsonName() + "@" + alpha, executed, tokS, r);
                }
            }
        }
    }

    private static void print(String label, ComputeDType dtype, int threads, Backend backend, String config, double executed, double tokS, int run) {
        System.out.printf(Locale.ROOT, "{\"bench\":\"layer_skip\",\"model\":\"%s\",\"dtype\":\"%s\",\"threads\":%d,\"backend\":\"%s\",\"config\":\"%s\","
                        + "\"layers_executed\":%.3f,\"decode_tok_s\":%.2f,\"run\":%d}%n",
                label, dtype.name().toLowerCase(Locale.ROOT), threads, backend.kind().name().toLowerCase(Locale.ROOT), config, executed, tokS, run);
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
