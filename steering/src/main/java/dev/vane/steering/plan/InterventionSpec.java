package dev.vane.steering.plan;

import dev.vane.engine.hooks.Component;
import dev.vane.engine.text.Snippet;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One intervention as a request or a profile states it: which method, which artifact (by name,
 * never by path) and its parameters. Resolved against the registry and the model by
 * {@link SteeringPlan#resolve}.
 *
 * <p>Every number has a finite range (docs/steering.md, "Ranges"), checked here so that requests,
 * profiles and admin defaults share it: far beyond the strengths the methods' papers use, and far
 * enough inside the float range that no accepted value can overflow a model's activations.
 */
public sealed interface InterventionSpec {

    /** Largest {@code |scale|} of a steering vector (vectors are in activation units: scale 1 adds the fitted shift once). */
    double MAX_SCALE = 1000;
    /** Largest {@code |alpha|} of the controller and of G-ACT (their defaults are 4 and 2). */
    double MAX_ALPHA = 100;

    Method method();

    String artifact();

    /**
     * {@code h_l[t] += scale · v_l} for layers in range and positions of {@code phase} (method 0), at
     * {@code site} or, when absent, at the site the vectors were fitted at.
     */
    record Vector(String artifact, double scale, Optional<LayerRange> layers, Optional<VectorSite> site, PhaseScope phase)
            implements InterventionSpec {
        public Vector {
            Objects.requireNonNull(artifact, "artifact");
            within("scale", scale, MAX_SCALE);
        }
        @Override public Method method() { return Method.VECTOR; }
    }

    /**
     * The steering controller (method 1): {@code h_l[t] += s · alpha · w_l · d̂}, {@code d̂} of unit
     * length at every layer (so one alpha means the same for every artifact of a model); without
     * an {@code alpha} the artifact's own (its {@code params.alpha}) applies. In {@code paper}
     * mode {@code s} and {@code w} are computed once from the prompt and patch every layer at the
     * (replayed) last prompt position and every generated token; {@code squash} uses
     * {@code sigmoid(s)} instead of the raw logit so benign prompts are not pushed away. In
     * {@code code} mode the controller runs at every step and patches only the last block at the
     * step's last position, as the released code does.
     */
    record Controller(String artifact, ControllerMode mode, java.util.OptionalDouble alpha, boolean squash) implements InterventionSpec {
        public Controller {
            Objects.requireNonNull(artifact, "artifact");
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(alpha, "alpha");
            alpha.ifPresent(a -> within("alpha", a, MAX_ALPHA));
        }

        /** With an explicit alpha. */
        public Controller(String artifact, ControllerMode mode, double alpha, boolean squash) {
            this(artifact, mode, java.util.OptionalDouble.of(alpha), squash);
        }

        /** The same with {@code alpha} set (how a plan records the artifact's default it applied). */
        public Controller withAlpha(double alpha) { return new Controller(artifact, mode, alpha, squash); }

        @Override public Method method() { return Method.CONTROLLER; }
    }

    /** G-ACT (method 2): per selected layer, a probe picks a cluster direction; {@code a_l[t] += alpha · μ}. */
    record Gact(String artifact, double alpha, GactSelect select, Optional<LayerRange> layers, PhaseScope phase)
            implements InterventionSpec {
        public Gact {
            Objects.requireNonNull(artifact, "artifact");
            within("alpha", alpha, MAX_ALPHA);
        }
        @Override public Method method() { return Method.GACT; }
    }

    /**
     * LAC void-layer skipping (method 3, arXiv 2505.14467), stated as {@code vane.layer_skip}: the
     * per-token rule with threshold {@code alpha}, in {@code mode}, for tokens of {@code phase};
     * {@code q} is the void fraction of prompt tokens above which {@code skip-set} skips a layer.
     */
    record LayerSkip(SkipMode mode, double alpha, double q, PhaseScope phase) implements InterventionSpec {
        public LayerSkip {
            if (!(alpha >= 0 && alpha <= 1)) throw new PlanException("alpha", "alpha must be in [0, 1], got " + alpha);
            if (!(q > 0 && q <= 1)) throw new PlanException("q", "q must be in (0, 1], got " + q);
        }
        @Override public Method method() { return Method.LAYER_SKIP; }
        /** Layer skipping needs no artifact. */
        @Override public String artifact() { return ""; }
    }

    /** Checks {@code -max <= value <= max} (NaN and the infinities fail it). */
    private static void within(String field, double value, double max) {
        if (!(Math.abs(value) <= max))
            throw new PlanException(field, field + " must be a number in [-" + (long) max + ", " + (long) max + "], got " + value);
    }

    /** LAC modes (methods.md §3). */
    enum SkipMode {
        /** Record which layers are void; change nothing. */
        TRACE,
        /** Every layer runs; the final norm reads the last active layer's output (the paper's code). */
        READOUT,
        /** Stop at the first void layer; deeper layers' KV is projected from the exit state. */
        EXIT,
        /** Layers void for at least q of the prompt tokens are skipped for generated tokens. */
        SKIP_SET;

        public String jsonName() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

        public static SkipMode parse(String s) {
            for (SkipMode m : values()) if (m.jsonName().equals(s)) return m;
            throw new PlanException("mode", "mode must be trace, readout, exit or skip-set, got '" + Snippet.of(s) + "'");
        }
    }

    /**
     * Soft injection of a task embedding (method 4, arXiv 2507.20906): at the last prompt token,
     * in prefill only, {@code z_l,h ← (1 − α_l,h)·z_l,h + α_l,h·ē_l,h} at every layer's heads.
     */
    record Task(String artifact) implements InterventionSpec {
        public Task {
            Objects.requireNonNull(artifact, "artifact");
        }
        @Override public Method method() { return Method.TASK; }
    }

    /** Where a steering vector is added. */
    enum VectorSite {
        RESID_POST(Component.RESID_POST), ATTN_OUT(Component.ATTN_OUT), MLP_OUT(Component.MLP_OUT);

        public final Component component;

        VectorSite(Component c) { this.component = c; }

        public String jsonName() { return name().toLowerCase(Locale.ROOT); }

        public static Optional<VectorSite> of(Component c) {
            for (VectorSite v : values()) if (v.component == c) return Optional.of(v);
            return Optional.empty();
        }

        public static VectorSite parse(String s) {
            for (VectorSite v : values()) if (v.jsonName().equals(s)) return v;
            throw new PlanException("site", "site must be resid_post, attn_out or mlp_out, got '" + Snippet.of(s) + "'");
        }
    }

    /**
     * Controller modes (methods.md §1): {@code code} as the released code (the last block, each
     * step), {@code paper} as the paper (decided on the prompt, every layer from the last prompt
     * token on), {@code prompt} as paper but patching the whole prompt too (a second prefill).
     */
    enum ControllerMode {
        CODE, PAPER, PROMPT;

        public String jsonName() { return name().toLowerCase(Locale.ROOT); }

        public static ControllerMode parse(String s) {
            for (ControllerMode m : values()) if (m.jsonName().equals(s)) return m;
            throw new PlanException("mode", "mode must be code, paper or prompt, got '" + Snippet.of(s) + "'");
        }
    }

    /** How G-ACT turns probe probabilities into a direction. */
    enum GactSelect {
        /** The most probable cluster's direction. */
        ARGMAX,
        /** {@code Σ_c p_c μ_c}. */
        SOFT;

        public String jsonName() { return name().toLowerCase(Locale.ROOT); }

        public static GactSelect parse(String s) {
            for (GactSelect m : values()) if (m.jsonName().equals(s)) return m;
            throw new PlanException("select", "select must be argmax or soft, got '" + Snippet.of(s) + "'");
        }
    }
}
