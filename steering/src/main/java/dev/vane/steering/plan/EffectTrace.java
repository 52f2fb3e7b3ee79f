package dev.vane.steering.plan;

import dev.vane.engine.hooks.Phase;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one intervention of a plan did for one sequence: written by the engine thread while the
 * sequence runs, read once it has finished (the request's completion orders the two).
 */
public final class EffectTrace {

    private final SteeringPlan.Entry entry;
    private final List<Integer> layers;
    private long positions;
    private long nanos;
    private ArtifactResolver.ControllerModel.Output controller;
    private final Map<Integer, int[]> choices = new TreeMap<>();
    // per phase [prompt, generation]
    private final long[] layersActive = new long[2];  // (token, layer) pairs the rule found active
    private final long[] layersDecided = new long[2]; // (token, layer) pairs the rule decided
    private final long[] layerSlots = new long[2];    // (token, layer) pairs under layer skipping, decided or not
    private final long[] layersSkipped = new long[2]; // (token, layer) pairs whose products the decoder left out
    private final List<BitSet> tokenLayers = new ArrayList<>();
    private BitSet skipSet;

    EffectTrace(SteeringPlan.Entry entry, List<Integer> layers) {
        this.entry = entry;
        this.layers = List.copyOf(layers);
    }

    public SteeringPlan.Entry entry() { return entry; }
    public Method method() { return entry.spec().method(); }
    public String artifact() { return entry.spec().artifact(); }
    /** The profile the intervention came from, or {@code inline}. */
    public String source() { return entry.source(); }
    /**
     * The layers it acts on, in increasing order: for a vector set the layers of the requested
     * range that carry a vector, for G-ACT those with a probe, every layer for the other methods.
     */
    public List<Integer> layers() { return layers; }
    /** Token positions it changed (each position counted once, whatever the number of layers). */
    public long positions() { return positions; }
    /** Time spent applying it, summed over steps. */
    public long nanos() { return nanos; }
    /** The controller's {@code s} and {@code w} (controller only, once decided). */
    public Optional<ArtifactResolver.ControllerModel.Output> controllerOutput() { return Optional.ofNullable(controller); }
    /** G-ACT probe choices: layer → count per cluster. */
    public Map<Integer, int[]> choices() { return choices; }

    public boolean applied() { return positions > 0; }

    /**
     * Layer skipping, the rule's decisions: the share of (token, layer) pairs it found active in
     * {@code phase} (1.0 = every layer active), or empty when it decided for no token of that
     * phase ({@code skip-set} decides for prompt tokens only).
     */
    public java.util.OptionalDouble layerUsage(Phase phase) {
        int i = phase.ordinal();
        return layersDecided[i] == 0 ? java.util.OptionalDouble.empty()
                : java.util.OptionalDouble.of((double) layersActive[i] / layersDecided[i]);
    }

    /** (token, layer) pairs the rule found active / decided in {@code phase}. */
    public long layersActive(Phase phase) { return layersActive[phase.ordinal()]; }
    public long layersDecided(Phase phase) { return layersDecided[phase.ordinal()]; }

    /**
     * Layer skipping, the work: (token, layer) pairs whose products the decoder left out in
     * {@code phase} (0 in trace and readout modes, where every layer runs).
     */
    public long layersSkipped(Phase phase) { return layersSkipped[phase.ordinal()]; }

    /** (token, layer) pairs whose products ran in {@code phase}: every layer of every token under layer skipping, less the skipped. */
    public long layersExecuted(Phase phase) { return layerSlots[phase.ordinal()] - layersSkipped[phase.ordinal()]; }

    /** The share of {@code phase}'s (token, layer) pairs that were skipped, or empty when it had no token. */
    public java.util.OptionalDouble skipRatio(Phase phase) {
        int i = phase.ordinal();
        return layerSlots[i] == 0 ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of((double) layersSkipped[i] / layerSlots[i]);
    }

    /** Layer skipping: per token the rule decided for, in order (prompt then generated), the layers it found active. */
    public List<BitSet> tokenLayers() { return tokenLayers; }

    void skipped(Phase phase, int n) { layersSkipped[phase.ordinal()] += n; }

    void skipSet(BitSet layers) { skipSet = (BitSet) layers.clone(); }

    /** skip-set mode: the layers skipped for generated tokens, once the prompt has been read. */
    public Optional<BitSet> skipSet() { return Optional.ofNullable(skipSet).map(b -> (BitSet) b.clone()); }

    /** A token the rule decided for: {@code active} of its {@code numLayers} layers. */
    void layers(Phase phase, BitSet active, int numLayers) {
        layersActive[phase.ordinal()] += active.cardinality();
        layersDecided[phase.ordinal()] += numLayers;
        layerSlots[phase.ordinal()] += numLayers;
        tokenLayers.add(active);
    }

    /** {@code tokens} tokens under layer skipping the rule did not decide for ({@code skip-set}'s generated tokens). */
    void undecided(Phase phase, int tokens, int numLayers) {
        layerSlots[phase.ordinal()] += (long) tokens * numLayers;
    }

    void addPositions(int n) { positions += n; }
    void addNanos(long n) { nanos += n; }
    void controller(ArtifactResolver.ControllerModel.Output o) { controller = o; }

    void choose(int layer, int cluster, int clusters) {
        choices.computeIfAbsent(layer, l -> new int[clusters])[cluster]++;
    }
}
