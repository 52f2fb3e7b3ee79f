package dev.vane.lab.steering;

import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.lab.gact.ActBaseline;
import dev.vane.lab.gact.GactFit;
import dev.vane.lab.gact.ProbeComparison;
import dev.vane.lab.harvest.ActivationHarvester;
import dev.vane.lab.harvest.HarvestProgress;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * G-ACT per-layer probe accuracy vs the plain ACT per-layer probe (methods.md §2), on a genre's
 * contrastive pairs ({@link SteeringSets#genrePairs}: neutral = another genre's chunk, explicit =
 * the target genre's chunk, from train and valid documents). Both are fitted by
 * {@link GactFit} / {@link ActBaseline} on the same last-token {@code RESID_POST} activations of
 * every layer, with the same seeded held-out split of the pairs and the same k-means clusters.
 * G-ACT's probe picks one of k clusters from the neutral activation (matched chance: the most
 * frequent held-out cluster's share); ACT's binary probe tells neutral from explicit with the probe
 * of the cluster nearest to the activation (chance 1/2). Each is also given above its own chance
 * ({@link ProbeComparison#aboveChance}), the scale on which the two can be compared.
 */
public final class ProbeEval {

    /**
     * @param target       the genre
     * @param chunksPerDoc chunks per document in the pairs
     * @param maxPairs     pairs used at most (0: all)
     * @param fit          clusters, held-out fraction, seed, probe settings
     * @param batch        harvest batch size
     */
    public record Options(String target, int chunksPerDoc, int maxPairs, GactFit.Config fit, int batch) {}

    /** One layer: held-out and training accuracy of both probes, and G-ACT's matched chance. */
    public record LayerRow(int layer, double gactHeldOut, double gactChance, double actHeldOut, double gactTrain, double actTrain) {
        public double gactAboveChance() { return ProbeComparison.aboveChance(gactHeldOut, gactChance); }
        public double actAboveChance() { return ProbeComparison.aboveChance(actHeldOut, ProbeComparison.ACT_CHANCE); }
    }

    public record Result(String target, int pairs, int clusters, List<LayerRow> layers) {

        /** Markdown: one row per layer, then the mean over layers. */
        public String table() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                    "| target | layer | G-ACT probe (k = %d), held-out · matched chance · above chance | ACT probe, held-out · "
                            + "above chance (1/2) | G-ACT, train | ACT, train | pairs |%n|---|---|---|---|---|---|---|%n", clusters));
            double g = 0, gc = 0, gk = 0, a = 0, ak = 0, gt = 0, at = 0;
            for (LayerRow r : layers) {
                sb.append(String.format(Locale.ROOT, "| %s | %d | %.1f%% · %.1f%% · %.2f | %.1f%% · %.2f | %.1f%% | %.1f%% | %d |%n",
                        target, r.layer(), 100 * r.gactHeldOut(), 100 * r.gactChance(), r.gactAboveChance(), 100 * r.actHeldOut(),
                        r.actAboveChance(), 100 * r.gactTrain(), 100 * r.actTrain(), pairs));
                g += r.gactHeldOut();
                gc += r.gactChance();
                gk += r.gactAboveChance();
                a += r.actHeldOut();
                ak += r.actAboveChance();
                gt += r.gactTrain();
                at += r.actTrain();
            }
            int n = layers.size();
            sb.append(String.format(Locale.ROOT, "| %s | mean | %.1f%% · %.1f%% · %.2f | %.1f%% · %.2f | %.1f%% | %.1f%% | %d |%n", target,
                    100 * g / n, 100 * gc / n, gk / n, 100 * a / n, ak / n, 100 * gt / n, 100 * at / n, pairs));
            return sb.toString();
        }
    }

    private ProbeEval() {}

    public static Result run(TensorDecoder model, Tokenizer tok, List<BrownDocument> docs, Options o, HarvestProgress progress) {
        List<SteeringSets.Pair> pairs = SteeringSets.genrePairs(docs, o.target(), o.chunksPerDoc());
        if (o.maxPairs() > 0 && pairs.size() > o.maxPairs()) pairs = pairs.subList(0, o.maxPairs());
        List<int[]> prompts = new ArrayList<>(2 * pairs.size());                  // neutral prompts, then explicit ones
        for (SteeringSets.Pair p : pairs) prompts.add(tok.encode(p.negative(), true));
        for (SteeringSets.Pair p : pairs) prompts.add(tok.encode(p.positive(), true));
        int numLayers = model.config().numLayers();
        List<Integer> layers = IntStream.range(0, numLayers).boxed().toList();
        float[][][] acts = new ActivationHarvester(model).harvest(prompts, layers, o.batch(), progress); // [2N][L][D]
        int n = pairs.size();
        float[][][] neutral = java.util.Arrays.copyOfRange(acts, 0, n);
        float[][][] explicit = java.util.Arrays.copyOfRange(acts, n, 2 * n);
        GactFit.Result g = GactFit.fit(neutral, explicit, o.fit());
        List<ActBaseline.LayerFit> a = ActBaseline.fit(neutral, explicit, o.fit());
        List<LayerRow> rows = new ArrayList<>();
        for (int i = 0; i < g.reports().size(); i++) {
            GactFit.LayerReport gr = g.reports().get(i);
            ActBaseline.LayerFit ar = a.get(i);
            rows.add(new LayerRow(gr.layer(), gr.probeHeldOutAccuracy(), gr.heldOutChance(), ar.probeHeldOutAccuracy(),
                    gr.probeTrainAccuracy(), ar.probeTrainAccuracy()));
        }
        return new Result(o.target(), n, o.fit().clusters(), rows);
    }
}
