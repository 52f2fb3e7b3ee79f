package dev.vane.lab.calibrate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.hooks.Component;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactKind;
import dev.vane.steering.artifact.LayerRange;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.control.MethodArtifacts;
import dev.vane.lab.gact.ActBaseline;
import dev.vane.lab.gact.GactFit;
import dev.vane.lab.gact.ProbeComparison;
import dev.vane.steering.gact.SoftmaxProbe;
import dev.vane.lab.harvest.ActivationHarvester;
import dev.vane.lab.harvest.HarvestProgress;
import dev.vane.lab.harvest.ProgressBar;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * {@code vane calibrate gact}: fits G-ACT (arXiv 2506.18887; methods.md §2) from pairs of
 * concept-neutral and concept-explicit prompts, compares its probes with the ACT baseline on the
 * same split, and stores the G-ACT state in an artifact registry.
 *
 * <ol>
 *   <li>read the pairs ({@link PromptPairs} with keys {@code neutral}/{@code explicit}) and hold
 *       some out (the file's {@code split}, else a seeded {@code --valid-fraction});</li>
 *   <li>encode both sides (optionally as a user turn of the chat template) and harvest
 *       {@code RESID_POST} at the last prompt token of every chosen layer;</li>
 *   <li>{@link GactFit}: per layer, k-means of explicit − neutral on the training pairs and a
 *       softmax probe reading the cluster from the neutral activation; {@link ActBaseline} on the
 *       same pairs, split and clusters;</li>
 *   <li>print the {@link ProbeComparison} table (and write it to {@code --table});</li>
 *   <li>write the {@code gact} artifact with per-layer held-out probe accuracies of both methods
 *       as metrics and this exact command and the file's SHA-256 as provenance.</li>
 * </ol>
 */
public final class CalibrateGact {

    private CalibrateGact() {}

    /** What to calibrate (the flags of {@code vane calibrate gact}). */
    public record Options(Path model, Path prompts, String name, Path registry, Optional<LayerRange> layers,
                          int clusters, long seed, Optional<Path> table, int batch, boolean chat, ComputeDType dtype,
                          double validFraction, boolean replace) {}

    /**
     * What a run produced.
     *
     * @param table the {@link ProbeComparison} table
     */
    public record Result(Artifact artifact, Path directory, GactFit.Result gact, List<ActBaseline.LayerFit> act,
                         String table, int train, int valid) {}

    /**
     * Runs the command: calibrates, saves, prints the probe comparison.
     *
     * @param command the command line recorded in the artifact's provenance
     * @param out     receives the summary; {@code err} the progress bar
     */
    public static void run(Options o, String command, PrintStream out, PrintStream err) {
        Result r = calibrate(o, command, new ProgressBar(err, "harvest"));
        out.printf(Locale.ROOT, "wrote %s (gact, k=%d, layers %s, %d train / %d held-out pairs) to %s%n%n", o.name(),
                o.clusters(), ArtifactsCommand.ranges(r.artifact().manifest().layers()), r.train(), r.valid(),
                r.directory());
        out.print("held-out probe accuracy, G-ACT cluster probe vs ACT binary probes:\n");
        out.print(r.table());
        o.table().ifPresent(t -> out.println("table written to " + t));
    }

    /**
     * Calibrates and saves (and writes {@code --table}).
     *
     * @param command the command line recorded in the artifact's provenance
     */
    public static Result calibrate(Options o, String command, HarvestProgress progress) {
        RegistryTarget target = new RegistryTarget(o.registry(), o.name(), o.replace());
        target.checkFree();
        PromptPairs.Loaded loaded = PromptPairs.read(o.prompts(), PromptPairs.Keys.GACT);
        List<PromptPair> pairs = loaded.splitGiven() ? loaded.pairs()
                : PromptPairs.split(loaded.pairs(), o.validFraction(), o.seed());
        int[] heldOut = IntStream.range(0, pairs.size()).filter(i -> pairs.get(i).split() == Split.VALID).toArray();
        int n = pairs.size(), train = n - heldOut.length;
        if (heldOut.length == 0) throw new IllegalArgumentException(o.prompts() + ": no held-out pairs (split: valid)");
        if (train == 0) throw new IllegalArgumentException(o.prompts() + ": no training pairs (split: train)");
        if (train < o.clusters())
            throw new IllegalArgumentException(o.prompts() + ": " + train + " training pairs, fewer than --clusters "
                    + o.clusters());

        ModelConfig config = HfConfig.read(o.model());
        ModelFingerprint fp = ModelFingerprint.of(config);
        List<Integer> layers = o.layers().orElse(LayerRange.all(fp.numLayers())).within(fp.numLayers(), "--layers").toList();

        // one harvest over [explicit | neutral], both in file order
        List<int[]> prompts = new ArrayList<>();
        try (Tokenizer tok = Tokenizer.load(o.model())) {
            PromptEncoder encoder = new PromptEncoder(tok, o.chat(), o.prompts(), config.maxPositionEmbeddings());
            for (PromptPair p : pairs) prompts.add(encoder.encode(p.positive(), p.line(), "explicit"));
            for (PromptPair p : pairs) prompts.add(encoder.encode(p.negative(), p.line(), "neutral"));
        }
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        float[][][] acts;                                                                   // [2N, K, D]
        try (TensorDecoder model = ModelLoader.loadTensor(o.model(), o.dtype(), longest)) {
            acts = new ActivationHarvester(model).harvest(prompts, layers, o.batch(), progress);
        }
        // GactFit indexes the layer axis by model layer: lay the K harvested layers out on all L,
        // the unfitted ones pointing at one shared zero row that is never read
        float[] unread = new float[fp.hiddenSize()];
        float[][][] explicit = new float[n][fp.numLayers()][], neutral = new float[n][fp.numLayers()][]; // [N, L, D]
        for (int i = 0; i < n; i++) {
            Arrays.fill(explicit[i], unread);
            Arrays.fill(neutral[i], unread);
            for (int k = 0; k < layers.size(); k++) {
                explicit[i][layers.get(k)] = acts[i][k];
                neutral[i][layers.get(k)] = acts[n + i][k];
            }
        }
        int[] fitted = layers.stream().mapToInt(Integer::intValue).toArray();
        GactFit.Config cfg = new GactFit.Config(o.clusters(), o.validFraction(), o.seed(), 4, SoftmaxProbe.Config.defaults());
        GactFit.Result g = GactFit.fit(neutral, explicit, fitted, heldOut, cfg);
        List<ActBaseline.LayerFit> act = ActBaseline.fit(neutral, explicit, fitted, heldOut, cfg);
        String table = ProbeComparison.table(g.reports(), act, o.clusters());

        Map<String, Double> metrics = metrics(g.reports(), act, train, heldOut.length);
        ObjectNode params = params(o, cfg, g.reports(), loaded.splitGiven(), train, heldOut.length);

        String sha = Provenance.sha256(o.prompts());
        Manifest manifest = new Manifest(o.name(), ArtifactKind.GACT, fp, Component.RESID_POST, layers, params, metrics,
                Provenance.now(command, sha));
        Artifact artifact = new Artifact(manifest, MethodArtifacts.tensors(g.weights().tensors(), g.weights().shapes()));
        o.table().ifPresent(t -> writeTable(t, o.name(), command, sha, table));
        Path dir = target.save(artifact);
        return new Result(artifact, dir, g, act, table, train, heldOut.length);
    }

    private static Map<String, Double> metrics(List<GactFit.LayerReport> gact, List<ActBaseline.LayerFit> act,
                                               int train, int valid) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        double sumG = 0, sumA = 0, best = -1;
        int bestLayer = -1;
        for (int i = 0; i < gact.size(); i++) {
            GactFit.LayerReport r = gact.get(i);
            double a = act.get(i).probeHeldOutAccuracy();
            metrics.put("valid.gact.accuracy.layer." + r.layer(), r.probeHeldOutAccuracy());
            metrics.put("valid.act.accuracy.layer." + r.layer(), a);
            metrics.put("train.gact.accuracy.layer." + r.layer(), r.probeTrainAccuracy());
            sumG += r.probeHeldOutAccuracy();
            sumA += a;
            if (r.probeHeldOutAccuracy() > best) {
                best = r.probeHeldOutAccuracy();
                bestLayer = r.layer();
            }
        }
        metrics.put("valid.gact.accuracy.mean", sumG / gact.size());
        metrics.put("valid.act.accuracy.mean", sumA / gact.size());
        metrics.put("valid.accuracy.best", best);
        metrics.put("valid.best_layer", (double) bestLayer);
        metrics.put("valid.pairs", (double) valid);
        metrics.put("train.pairs", (double) train);
        return metrics;
    }

    private static ObjectNode params(Options o, GactFit.Config cfg, List<GactFit.LayerReport> reports,
                                     boolean splitGiven, int train, int valid) {
        ObjectNode params = JsonNodeFactory.instance.objectNode()
                .put("clusters", o.clusters())
                .put("kmeans_restarts", cfg.kmeansRestarts())
                .put("probe_steps", cfg.probe().steps())
                .put("probe_lr", cfg.probe().learningRate())
                .put("probe_l2", cfg.probe().l2())
                .put("seed", o.seed())
                .put("position", "last-prompt-token")
                .put("prompts", o.prompts().getFileName().toString())
                .put("chat", o.chat())
                .put("dtype", o.dtype().name().toLowerCase(Locale.ROOT))
                .put("batch", o.batch())
                .put("split", splitGiven ? "field" : "random")
                .put("train_pairs", train)
                .put("valid_pairs", valid);
        if (!splitGiven) params.put("valid_fraction", o.validFraction());
        ArrayNode sizes = params.putArray("cluster_sizes"); // [layer][cluster], in layer order
        for (GactFit.LayerReport r : reports) {
            ArrayNode row = sizes.addArray();
            for (int s : r.clusterSizes()) row.add(s);
        }
        return params;
    }

    private static void writeTable(Path file, String name, String command, String sha, String table) {
        String md = "# G-ACT vs ACT held-out probe accuracy: " + name + "\n\n"
                + "`" + command + "` (prompts sha256 " + sha + ")\n\n"
                + "G-ACT: k-class cluster probe on the neutral activation (chance 1/k). "
                + "ACT: per-cluster binary probes, neutral vs explicit (chance 1/2).\n\n"
                + "```text\n" + table + "```\n";
        try {
            Files.writeString(file, md, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("--table: cannot write " + file + ": " + e.getMessage());
        }
    }
}
