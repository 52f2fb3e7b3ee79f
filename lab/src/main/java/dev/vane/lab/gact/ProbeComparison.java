package dev.vane.lab.gact;

import java.util.List;
import java.util.Locale;

/** Formats the per-layer "G-ACT probe accuracy vs ACT per-layer probe" table (arXiv 2506.18887 §results). */
public final class ProbeComparison {

    private ProbeComparison() {}

    /** ACT's binary probe scores one neutral and one explicit activation per prompt: chance is 1/2. */
    public static final double ACT_CHANCE = 0.5;

    /**
     * How far above its chance a classifier is, on a scale where chance is 0 and every answer
     * right is 1: {@code (accuracy − chance) / (1 − chance)}. It puts a k-way probe and a binary
     * one on the same footing. NaN when chance is 1 (every held-out example in one class: no
     * room above it).
     */
    public static double aboveChance(double accuracy, double chance) {
        return chance >= 1 ? Double.NaN : (accuracy - chance) / (1 - chance);
    }

    /**
     * One row per layer: held-out accuracy of the G-ACT cluster probe and its matched chance (the
     * most frequent held-out cluster's share), of the ACT binary probes (chance 1/2, each held-out
     * activation scored by the probe of its nearest cluster, chosen without the explicit side),
     * each one's accuracy above chance, and their difference in points; then the means.
     * Both lists must cover the same layers in the same order.
     */
    public static String table(List<GactFit.LayerReport> gact, List<ActBaseline.LayerFit> act, int clusters) {
        if (gact == null || act == null || gact.size() != act.size() || gact.isEmpty())
            throw new IllegalArgumentException("gact and act must be non-empty and cover the same layers");
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%5s  %10s  %8s  %10s  %14s  %14s  %8s%n", "layer",
                "G-ACT (k=" + clusters + ")", "chance", "ACT", "G-ACT > chance", "ACT > chance", "diff pp"));
        double sumG = 0, sumA = 0, sumGk = 0, sumAk = 0;
        for (int i = 0; i < gact.size(); i++) {
            GactFit.LayerReport g = gact.get(i);
            ActBaseline.LayerFit a = act.get(i);
            if (g.layer() != a.layer())
                throw new IllegalArgumentException("act must cover the same layers as gact; row " + i + ": " + g.layer() + " vs " + a.layer());
            double gk = aboveChance(g.probeHeldOutAccuracy(), g.heldOutChance()), ak = aboveChance(a.probeHeldOutAccuracy(), ACT_CHANCE);
            sumG += g.probeHeldOutAccuracy();
            sumA += a.probeHeldOutAccuracy();
            sumGk += gk;
            sumAk += ak;
            sb.append(String.format(Locale.ROOT, "%5d  %10.3f  %8.3f  %10.3f  %14.3f  %14.3f  %+8.1f%n", g.layer(),
                    g.probeHeldOutAccuracy(), g.heldOutChance(), a.probeHeldOutAccuracy(), gk, ak, 100 * (gk - ak)));
        }
        int n = gact.size();
        sb.append(String.format(Locale.ROOT, "%5s  %10.3f  %8s  %10.3f  %14.3f  %14.3f  %+8.1f%n", "mean", sumG / n, "",
                sumA / n, sumGk / n, sumAk / n, 100 * (sumGk - sumAk) / n));
        return sb.toString();
    }
}
