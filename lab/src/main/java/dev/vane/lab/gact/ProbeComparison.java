package dev.vane.lab.gact;

import java.util.List;

/** Formats the per-layer "G-ACT probe accuracy vs ACT per-layer probe" table (arXiv 2506.18887 §results). */
public final class ProbeComparison {

    private ProbeComparison() {}

    /**
     * One row per layer: held-out accuracy of the G-ACT cluster probe (chance 1/k) and of the ACT
     * binary probes (chance 1/2), and their difference in percentage points, then the means.
     * Both lists must cover the same layers in the same order.
     */
    public static String table(List<GactFit.LayerReport> gact, List<ActBaseline.LayerFit> act, int clusters) {
        if (gact == null || act == null || gact.size() != act.size() || gact.isEmpty())
            throw new IllegalArgumentException("gact and act must be non-empty and cover the same layers");
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%5s  %14s  %14s  %8s%n", "layer",
                "G-ACT (1/" + clusters + ")", "ACT (1/2)", "diff pp"));
        double sumG = 0, sumA = 0;
        for (int i = 0; i < gact.size(); i++) {
            GactFit.LayerReport g = gact.get(i);
            ActBaseline.LayerFit a = act.get(i);
            if (g.layer() != a.layer())
                throw new IllegalArgumentException("act must cover the same layers as gact; row " + i + ": " + g.layer() + " vs " + a.layer());
            sumG += g.probeHeldOutAccuracy();
            sumA += a.probeHeldOutAccuracy();
            sb.append(String.format("%5d  %14.3f  %14.3f  %+8.1f%n", g.layer(), g.probeHeldOutAccuracy(),
                    a.probeHeldOutAccuracy(), 100 * (g.probeHeldOutAccuracy() - a.probeHeldOutAccuracy())));
        }
        int n = gact.size();
        sb.append(String.format("%5s  %14.3f  %14.3f  %+8.1f%n", "mean", sumG / n, sumA / n, 100 * (sumG - sumA) / n));
        return sb.toString();
    }
}
