package dev.vane.bench;

import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.Sequence;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.control.MethodArtifacts;
import dev.vane.lab.controller.ControllerNet;
import dev.vane.steering.controller.RefusalDirection;
import dev.vane.steering.gact.GactSelector;
import dev.vane.steering.gact.GactWeights;
import dev.vane.steering.gact.SoftmaxProbe;
import dev.vane.steering.plan.ArtifactResolver;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.ModelShape;
import dev.vane.steering.plan.PhaseScope;
import dev.vane.steering.plan.PlanException;
import dev.vane.steering.plan.SteeringPlan;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * Decode throughput with and without steering, through the generator (the server's engine path):
 * no steering, vectors on every layer, the controller (paper mode), G-ACT on every layer; at
 * batch 1 and at a batch of B concurrent sequences. Artifacts are random, in the model's real
 * geometry (the cost does not depend on their values). One JSON line per (mode, batch, run).
 *
 */
@Command(name = "vane bench SteeringBench", sortOptions = false, description =
        "Decode throughput with and without steering (vectors, controller, G-ACT) at batch 1 and B, one JSON line per mode, batch and run.")
public final class SteeringBench implements Callable<Integer> {

    @Mixin
    BenchModel m;
    @Mixin
    EngineThreads engine;
    @Option(names = "--runs", defaultValue = "3", paramLabel = "N", description = "measured runs (${DEFAULT-VALUE})")
    int runs;
    @Option(names = "--batches", defaultValue = "1,8", split = ",", paramLabel = "B,B,...", description = "batch sizes (${DEFAULT-VALUE})")
    List<Integer> batches;
    @Option(names = "--modes", defaultValue = "none,vectors,controller,gact", split = ",", paramLabel = "M,M,...",
            description = "steering modes: none, vectors, controller, gact (${DEFAULT-VALUE})")
    List<String> modes;
    @Option(names = "--warmup", defaultValue = "20", paramLabel = "SECONDS",
            description = "unmeasured rounds of every mode per batch size, repeated for at least this long (${DEFAULT-VALUE})")
    int warmup;

    public static void main(String[] args) {
        BenchCli.main(new SteeringBench(), args);
    }

    @Override
    public Integer call() throws Exception {
        BenchSetup setup = BenchSetup.of(m, engine); // engine threads as the server runs them
        int threads = setup.threads(), promptLen = setup.promptLen(), genLen = setup.genLen();
        ComputeDType dtype = setup.dtype();
        Path dir = setup.dir();
        String label = setup.label();
        DecodeBench.withTokenizer(dir);

        int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
        int ctx = promptLen + genLen + 2;
        try (CausalLM model = ModelLoader.load(dir, setup.load(ctx));
             Tokenizer tok = Tokenizer.load(dir);
             Generator gen = new Generator(model, tok, maxBatch, ctx)) {
            ModelConfig c = model.config();
            ArtifactResolver artifacts = randomArtifacts(c);
            ModelShape shape = new ModelShape(c.numLayers(), c.hiddenSize());
            Map<String, SteeringPlan> plans = new HashMap<>();
            for (String mode : modes)
                plans.put(mode, switch (mode) {
                    case "none" -> SteeringPlan.EMPTY;
                    case "vectors" -> plan(new InterventionSpec.Vector("vectors", 0.5, Optional.empty(), Optional.empty(),
                            PhaseScope.BOTH), artifacts, shape);
                    case "controller" -> plan(new InterventionSpec.Controller("controller",
                            InterventionSpec.ControllerMode.PAPER, 4, true), artifacts, shape);
                    case "gact" -> plan(new InterventionSpec.Gact("gact", 0.5, InterventionSpec.GactSelect.ARGMAX,
                            Optional.empty(), PhaseScope.BOTH), artifacts, shape);
                    default -> throw new IllegalArgumentException("unknown mode " + mode + " (none, vectors, controller, gact)");
                });
            for (int batch : batches) {
                // warm-up: whole rounds of every mode until the JIT and the host have settled
                long until = System.nanoTime() + warmup * 1_000_000_000L;
                do {
                    for (String mode : modes) run(gen, plans.get(mode), batch, promptLen, genLen, c.vocabSize());
                } while (System.nanoTime() < until);
                for (int r = 0; r < runs; r++)
                    for (String mode : modes) { // modes alternate within a run, so a drifting host affects them alike
                        SteeringPlan p = plans.get(mode);
                        double[] t = run(gen, p, batch, promptLen, genLen, c.vocabSize());
                        System.out.printf(Locale.ROOT, "{\"bench\":\"steering\",\"model\":\"%s\",\"dtype\":\"%s\",\"threads\":%d,\"backend\":\"%s\","
                                        + "\"mode\":\"%s\",\"batch\":%d,\"prompt_len\":%d,\"gen_len\":%d,\"run\":%d,"
                                        + "\"decode_tok_s\":%.2f,\"total_s\":%.3f}%n",
                                label, dtype.name().toLowerCase(Locale.ROOT), threads, BenchSetup.name(model.backend()), mode, batch, promptLen, genLen, r,
                                t[1], t[0]);
                    }
            }
        }
        return 0;
    }

    private static SteeringPlan plan(InterventionSpec spec, ArtifactResolver artifacts, ModelShape shape) {
        return SteeringPlan.resolve(List.of(new SteeringPlan.Entry(spec, "bench", "bench")), artifacts, shape);
    }

    /**
     * Generates {@code genLen} tokens for {@code batch} sequences together; returns total seconds
     * and decode tokens/s (generated tokens after the first, over the time after the first token).
     */
    private static double[] run(Generator gen, SteeringPlan plan, int batch, int promptLen, int genLen,
                                int vocab) {
        SamplingParams greedy = SamplingParams.builder().temperature(0).maxTokens(genLen).ignoreEos(true).build();
        List<Sequence> seqs = new ArrayList<>();
        long[] first = new long[batch];
        for (int b = 0; b < batch; b++) {
            int[] prompt = new int[promptLen];
            for (int i = 0; i < promptLen; i++) prompt[i] = (int) ((i * 7919L + b * 104729L + 13) % vocab);
            int row = b;
            RowHooks hooks = plan.isEmpty() ? RowHooks.NONE : plan.bind();
            seqs.add(gen.newSequence(prompt, greedy, new TokenListener() {
                @Override public void onToken(dev.vane.engine.generate.TokenEvent e) {
                    if (first[row] == 0) first[row] = System.nanoTime();
                }
            }, hooks));
        }
        long t0 = System.nanoTime();
        gen.run(seqs);
        long t1 = System.nanoTime();
        long firstAll = 0;
        for (long f : first) firstAll = Math.max(firstAll, f);
        double decodeTokS = (double) batch * (genLen - 1) / ((t1 - firstAll) / 1e9);
        return new double[] {(t1 - t0) / 1e9, decodeTokS};
    }

    private static float[] random(int n, SplittableRandom r, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return v;
    }

    /** Random vectors on every layer, a paper-width controller, and 3-cluster G-ACT probes on every layer. */
    private static ArtifactResolver randomArtifacts(ModelConfig c) {
        int d = c.hiddenSize(), layers = c.numLayers();
        SplittableRandom r = new SplittableRandom(1);
        Map<Integer, float[]> vec = new HashMap<>();
        for (int l = 0; l < layers; l++) vec.put(l, random(d, r, 0.1));
        ArtifactResolver.SteeringVectors vectors = new ArtifactResolver.SteeringVectors("vectors", Component.RESID_POST, d, vec);
        ArtifactResolver.ControllerModel controller;
        try (ControllerNet net = ControllerNet.init(d, layers, ControllerNet.PAPER_WIDTH, 2)) {
            controller = MethodArtifacts.model(net.weights(
                    RefusalDirection.fromActivations(new float[][] {random(d, r, 1)}, new float[][] {new float[d]})), 4);
        }
        TreeMap<Integer, GactWeights.Layer> gl = new TreeMap<>();
        for (int l = 0; l < layers; l++)
            gl.put(l, new GactWeights.Layer(new float[][] {random(d, r, 0.1), random(d, r, 0.1), random(d, r, 0.1)},
                    SoftmaxProbe.of(new float[][] {random(d, r, 0.01), random(d, r, 0.01), random(d, r, 0.01)}, new float[3])));
        ArtifactResolver.ProbeSteering gact = MethodArtifacts.probes(new GactSelector(new GactWeights(d, 3, gl)));
        return new ArtifactResolver() {
            @Override public SteeringVectors vectors(String name) { return vectors; }
            @Override public ControllerModel controller(String name) { return controller; }
            @Override public ProbeSteering gact(String name) {
                if (!name.equals("gact")) throw new PlanException("artifact", name);
                return gact;
            }
        };
    }
}
