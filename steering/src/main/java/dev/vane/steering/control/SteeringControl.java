package dev.vane.steering.control;

import dev.vane.engine.text.Snippet;
import dev.vane.steering.plan.ArtifactResolver;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.ModelShape;
import dev.vane.steering.plan.PlanException;
import dev.vane.steering.plan.SteeringPlan;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The server's steering state, changeable at runtime: the global switch, the default profile and
 * the profiles. State is an immutable snapshot swapped atomically, so a change applies to the
 * requests planned after it while running requests keep the plan they were admitted with.
 */
public final class SteeringControl {

    /** The global switch and the profile applied when a request names none. */
    public record Settings(boolean enabled, Optional<String> defaultProfile) {}

    /**
     * One admin change, for the log and the change counter.
     *
     * @param kind {@code steering}, {@code profile} or {@code layer_skip} (a metric label)
     */
    public record Change(String kind, String who, String what, Instant when) {}

    private record State(Settings settings, Map<String, Profile> profiles, Optional<InterventionSpec.LayerSkip> layerSkip) {}

    private final ArtifactResolver artifacts;
    private final ModelShape model;
    private final Consumer<Change> onChange;
    private final AtomicReference<State> state;

    public SteeringControl(ArtifactResolver artifacts, ModelShape model, Consumer<Change> onChange) {
        this.artifacts = artifacts;
        this.model = model;
        this.onChange = onChange;
        this.state = new AtomicReference<>(new State(new Settings(true, Optional.empty()), Map.of(), Optional.empty()));
    }

    public ModelShape model() { return model; }

    public ArtifactResolver artifacts() { return artifacts; }

    public Settings settings() { return state.get().settings(); }

    public List<Profile> profiles() { return List.copyOf(state.get().profiles().values()); }

    public Optional<Profile> profile(String name) { return Optional.ofNullable(state.get().profiles().get(name)); }

    /**
     * The plan for one request: its profile (the default one unless it names one or none), then
     * the inline interventions, then layer skipping (the request's, else the global default
     * {@link #layerSkip()}, unless it turns skipping off). With steering switched off the plan is
     * empty (the request is still validated).
     *
     * @param inline paths for error messages are {@code vane.interventions[i]}
     */
    public Planned plan(ProfileChoice profile, List<InterventionSpec> inline, SkipChoice skip) {
        State s = state.get();
        List<SteeringPlan.Entry> entries = new ArrayList<>();
        Optional<String> chosen = switch (profile) {
            case ProfileChoice.Default d -> s.settings().defaultProfile();
            case ProfileChoice.None n -> Optional.empty();
            case ProfileChoice.Named n -> Optional.of(n.name());
        };
        chosen.ifPresent(name -> {
            Profile p = s.profiles().get(name);
            if (p == null) throw PlanException.notFound("vane.profile", "no profile named '" + Snippet.of(name) + "'"
                    + (profile instanceof ProfileChoice.Default ? " (the default profile)" : "") + "; profiles: " + s.profiles().keySet());
            for (int i = 0; i < p.interventions().size(); i++)
                entries.add(new SteeringPlan.Entry(p.interventions().get(i), p.name(), "vane.profile(" + p.name() + ")[" + i + "]"));
        });
        for (int i = 0; i < inline.size(); i++)
            entries.add(new SteeringPlan.Entry(inline.get(i), "inline", "vane.interventions[" + i + "]"));
        Optional<SteeringPlan.Entry> skipping = switch (skip) {
            case SkipChoice.Given g -> Optional.of(new SteeringPlan.Entry(g.skip(), "inline", "vane.layer_skip"));
            case SkipChoice.Default d -> s.layerSkip().map(k -> new SteeringPlan.Entry(k, "default", "layer_skip"));
            case SkipChoice.Off o -> Optional.empty();
        };
        skipping.ifPresent(entries::add);
        SteeringPlan plan = SteeringPlan.resolve(entries, artifacts, model);
        return new Planned(s.settings().enabled() ? plan : SteeringPlan.EMPTY, s.settings().enabled(), chosen);
    }

    /** A request's plan and what it was made under. */
    public record Planned(SteeringPlan plan, boolean enabled, Optional<String> profile) {}

    public void settings(Settings settings, String who) {
        settings.defaultProfile().ifPresent(name -> {
            if (!state.get().profiles().containsKey(name))
                throw new PlanException("default_profile", "no profile named '" + Snippet.of(name) + "'");
        });
        State before = state.getAndUpdate(s -> new State(settings, s.profiles(), s.layerSkip()));
        onChange.accept(new Change("steering", who, "steering " + (settings.enabled() ? "on" : "off") + ", default profile "
                + settings.defaultProfile().orElse("none") + " (was " + (before.settings().enabled() ? "on" : "off") + ", "
                + before.settings().defaultProfile().orElse("none") + ")", Instant.now()));
    }

    /** Creates or replaces a profile after checking that it resolves against the artifacts and the model. */
    public boolean putProfile(Profile p, String who) {
        List<SteeringPlan.Entry> entries = new ArrayList<>();
        for (int i = 0; i < p.interventions().size(); i++)
            entries.add(new SteeringPlan.Entry(p.interventions().get(i), p.name(), "interventions[" + i + "]"));
        SteeringPlan.resolve(entries, artifacts, model);
        State before = state.getAndUpdate(s -> {
            Map<String, Profile> m = new TreeMap<>(s.profiles());
            m.put(p.name(), p);
            return new State(s.settings(), Map.copyOf(m), s.layerSkip());
        });
        boolean created = !before.profiles().containsKey(p.name());
        onChange.accept(new Change("profile", who, (created ? "created" : "replaced") + " profile " + p.name()
                + " (" + p.interventions().size() + " interventions)", Instant.now()));
        return created;
    }

    /**
     * Deletes a profile; false when there is none of that name.
     *
     * @throws ControlException CONFLICT on {@code name} for the default profile, which cannot be
     *                          deleted while it is the default
     */
    public boolean deleteProfile(String name, String who) {
        State s = state.get();
        if (!s.profiles().containsKey(name)) return false;
        if (s.settings().defaultProfile().equals(Optional.of(name)))
            throw ControlException.conflict("name", "profile '" + name + "' is the default profile; change the default first");
        state.getAndUpdate(st -> {
            Map<String, Profile> m = new TreeMap<>(st.profiles());
            m.remove(name);
            return new State(st.settings(), Map.copyOf(m), st.layerSkip());
        });
        onChange.accept(new Change("profile", who, "deleted profile " + name, Instant.now()));
        return true;
    }

    /** The global default layer skipping for requests that set none. */
    public Optional<InterventionSpec.LayerSkip> layerSkip() { return state.get().layerSkip(); }

    /** Sets (or clears) the global default layer skipping after checking that it plans on this model. */
    public void layerSkip(Optional<InterventionSpec.LayerSkip> skip, String who) {
        skip.ifPresent(k -> SteeringPlan.resolve(List.of(new SteeringPlan.Entry(k, "default", "layer_skip")), artifacts, model));
        state.getAndUpdate(s -> new State(s.settings(), s.profiles(), skip));
        onChange.accept(new Change("layer_skip", who, "default layer skipping " + skip.map(k -> k.mode().jsonName()
                + " alpha " + k.alpha() + " q " + k.q() + " phase " + k.phase().jsonName()).orElse("off"), Instant.now()));
    }

    /** Names of the artifacts the profiles use (an artifact in use should not be deleted). */
    public List<String> profilesUsing(String artifact) {
        return state.get().profiles().values().stream()
                .filter(p -> p.interventions().stream().anyMatch(i -> i.artifact().equals(artifact)))
                .map(Profile::name).toList();
    }
}
