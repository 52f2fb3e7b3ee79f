package dev.vane.steering.plan;

import dev.vane.steering.plan.ArtifactResolver.ControllerModel;
import dev.vane.steering.plan.ArtifactResolver.ProbeSteering;
import dev.vane.steering.plan.ArtifactResolver.SteeringVectors;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A request's interventions, resolved against the artifacts and checked against the model:
 * profile entries first, then inline ones, in order. Immutable and shared by the request's
 * sequences; {@link #bind} makes the per-sequence {@link SteeringRow}.
 */
public final class SteeringPlan {

    /**
     * One planned intervention.
     *
     * @param spec   what to apply
     * @param source the profile it came from, or {@code inline}
     * @param path   where it was stated, for error messages ({@code vane.interventions[2]})
     */
    public record Entry(InterventionSpec spec, String source, String path) {
        public Entry {
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(path, "path");
        }
    }

    public static final SteeringPlan EMPTY = new SteeringPlan(List.of(), 0);

    private final List<Resolved> resolved;
    private final int numLayers;

    private SteeringPlan(List<Resolved> resolved, int numLayers) {
        this.resolved = List.copyOf(resolved);
        this.numLayers = numLayers;
    }

    /**
     * Resolves and validates every entry. Throws {@link PlanException} whose field is the full
     * path ({@code vane.interventions[1].layers}) of the first bad entry.
     */
    public static SteeringPlan resolve(List<Entry> entries, ArtifactResolver artifacts, ModelShape model) {
        List<Resolved> out = new ArrayList<>();
        for (Entry e : entries) {
            try {
                out.add(resolve(e, artifacts, model));
            } catch (PlanException ex) {
                throw ex.under(e.path());
            }
        }
        return new SteeringPlan(out, model.numLayers());
    }

    public boolean isEmpty() { return resolved.isEmpty(); }

    public List<Entry> entries() { return resolved.stream().map(Resolved::entry).toList(); }

    /** A fresh per-sequence binding (effects keep per-sequence state). */
    public SteeringRow bind() {
        List<Effect> effects = new ArrayList<>(resolved.size());
        for (Resolved r : resolved) effects.add(r.bind().apply(new EffectTrace(r.entry(), r.layers())));
        return new SteeringRow(effects);
    }

    /** A resolved entry: what it binds to and its planned layers. */
    /** An entry checked against the artifacts and the model: the layers it acts on and its effect. */
    private record Resolved(Entry entry, List<Integer> layers, Function<EffectTrace, Effect> bind) {}

    private static List<Integer> all(int nl) {
        return java.util.stream.IntStream.range(0, nl).boxed().toList();
    }

    private static List<Integer> where(boolean[] on) {
        return java.util.stream.IntStream.range(0, on.length).filter(l -> on[l]).boxed().toList();
    }

    private static Resolved resolve(Entry e, ArtifactResolver artifacts, ModelShape model) {
        int nl = model.numLayers();
        return switch (e.spec()) {
            case InterventionSpec.Vector v -> {
                SteeringVectors set = artifacts.vectors(v.artifact());
                checkHidden(set.hiddenSize(), model, v.artifact());
                LayerRange range = v.layers().map(r -> r.within(nl)).orElse(LayerRange.all(nl));
                float[][] scaled = new float[nl][];
                int present = 0;
                if (v.scale() != 0)
                    for (int l = range.first(); l <= range.last(); l++) {
                        float[] d = set.byLayer().get(l);
                        if (d == null) continue;
                        float[] s = new float[d.length];
                        for (int i = 0; i < d.length; i++) s[i] = (float) (v.scale() * d[i]);
                        scaled[l] = s;
                        present++;
                    }
                if (present == 0 && v.scale() != 0 && v.layers().isPresent())
                    throw new PlanException("layers", "artifact '" + v.artifact() + "' has no vector for layers " + range
                            + " (it has layers " + new java.util.TreeSet<>(set.byLayer().keySet()) + ")");
                var site = v.site().map(x -> x.component).orElse(set.site());
                if (InterventionSpec.VectorSite.of(site).isEmpty())
                    throw new PlanException("artifact", "vector set '" + v.artifact() + "' was fitted at " + site
                            + "; steering vectors apply at resid_post, attn_out or mlp_out");
                boolean[] carried = new boolean[nl];
                for (int l = 0; l < nl; l++) carried[l] = scaled[l] != null;
                yield new Resolved(e, where(carried), t -> new VectorEffect(site, v.phase(), scaled, t));
            }
            case InterventionSpec.Controller c -> {
                ControllerModel cm = artifacts.controller(c.artifact());
                checkHidden(cm.hiddenSize(), model, c.artifact());
                if (cm.numLayers() != nl)
                    throw new PlanException("artifact", "controller '" + c.artifact() + "' was trained for " + cm.numLayers()
                            + " layers, the model has " + nl);
                if (nl < 4) throw new PlanException("artifact", "the controller needs a model with at least 4 layers");
                double alpha = c.alpha().orElse(cm.alpha());
                yield new Resolved(new Entry(c.withAlpha(alpha), e.source(), e.path()), all(nl),
                        t -> new ControllerEffect(cm, c.mode(), alpha, c.squash(), nl, t));
            }
            case InterventionSpec.LayerSkip k -> {
                yield new Resolved(e, all(nl),
                        t -> new LayerSkipEffect(k.mode(), k.alpha(), k.q(), k.phase(), nl, t));
            }
            case InterventionSpec.Gact g -> {
                ProbeSteering p = artifacts.gact(g.artifact());
                checkHidden(p.hiddenSize(), model, g.artifact());
                boolean[] layers = new boolean[nl];
                int[] clusters = new int[nl];
                for (int l : p.layers()) {
                    if (l >= nl) throw new PlanException("artifact", "G-ACT artifact '" + g.artifact() + "' has a probe for layer "
                            + l + " but the model has " + nl + " layers");
                    if (g.layers().map(r -> r.contains(l)).orElse(true)) {
                        layers[l] = true;
                        clusters[l] = p.clusters(l);
                    }
                }
                g.layers().ifPresent(r -> {
                    r.within(nl);
                    for (int l = r.first(); l <= r.last(); l++)
                        if (!p.layers().contains(l))
                            throw new PlanException("layers", "G-ACT artifact '" + g.artifact() + "' has no probe for layer " + l
                                    + " (it has " + new java.util.TreeSet<>(p.layers()) + ")");
                });
                yield new Resolved(e, where(layers), t -> new GactEffect(p, layers, g.phase(), g.select(), g.alpha(), clusters, t));
            }
            case InterventionSpec.Task k -> {
                ArtifactResolver.TaskEmbedding task = artifacts.taskEmbedding(k.artifact());
                if (task.numLayers() != nl)
                    throw new PlanException("artifact", "task embedding '" + k.artifact() + "' has " + task.numLayers()
                            + " layers, the model has " + nl);
                if (model.numHeads() > 0 && (task.numHeads() != model.numHeads() || task.headDim() != model.headDim()))
                    throw new PlanException("artifact", "task embedding '" + k.artifact() + "' has " + task.numHeads()
                            + " heads of " + task.headDim() + ", the model has " + model.numHeads() + " of " + model.headDim());
                yield new Resolved(e, all(nl), t -> new TaskEffect(task, t));
            }
        };
    }

    private static void checkHidden(int artifactHidden, ModelShape model, String name) {
        if (artifactHidden != model.hiddenSize())
            throw new PlanException("artifact", "artifact '" + name + "' has hidden size " + artifactHidden
                    + " but the model's is " + model.hiddenSize());
    }
}
