package dev.vane.steering.plan;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one intervention of a plan did for one sequence: written by the engine thread while the
 * sequence runs, read once it has finished (the request's completion orders the two).
 */
public final class EffectTrace {

    private final SteeringPlan.Entry entry;
    private final Optional<LayerRange> layers;
    private long positions;
    private long nanos;
    private ArtifactResolver.ControllerModel.Output controller;
    private final Map<Integer, int[]> choices = new TreeMap<>();

    EffectTrace(SteeringPlan.Entry entry, Optional<LayerRange> layers) {
        this.entry = entry;
        this.layers = layers;
    }

    public SteeringPlan.Entry entry() { return entry; }
    public Method method() { return entry.spec().method(); }
    public String artifact() { return entry.spec().artifact(); }
    /** The profile the intervention came from, or {@code inline}. */
    public String source() { return entry.source(); }
    /** The layers it was planned on (empty for the controller, which spans all layers). */
    public Optional<LayerRange> layers() { return layers; }
    /** Token positions it changed (each position counted once, whatever the number of layers). */
    public long positions() { return positions; }
    /** Time spent applying it, summed over steps. */
    public long nanos() { return nanos; }
    /** The controller's {@code s} and {@code w} (controller only, once decided). */
    public Optional<ArtifactResolver.ControllerModel.Output> controllerOutput() { return Optional.ofNullable(controller); }
    /** G-ACT probe choices: layer → count per cluster. */
    public Map<Integer, int[]> choices() { return choices; }

    public boolean applied() { return positions > 0; }

    void addPositions(int n) { positions += n; }
    void addNanos(long n) { nanos += n; }
    void controller(ArtifactResolver.ControllerModel.Output o) { controller = o; }

    void choose(int layer, int cluster, int clusters) {
        choices.computeIfAbsent(layer, l -> new int[clusters])[cluster]++;
    }
}
