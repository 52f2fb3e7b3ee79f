package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.steering.control.SkipChoice;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.InterventionSpec.ControllerMode;
import dev.vane.steering.plan.InterventionSpec.GactSelect;
import dev.vane.steering.plan.InterventionSpec.VectorSite;
import dev.vane.steering.plan.LayerRange;
import dev.vane.steering.plan.Method;
import dev.vane.steering.plan.PhaseScope;
import dev.vane.steering.plan.PlanException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON form of interventions (design.md §5), one boundary both ways: request {@code vane}
 * objects and admin profiles are read here, profiles are written back here. Every field is
 * checked; errors are 400s naming the full path ({@code vane.interventions[0].scale}).
 */
final class InterventionJson {

    private InterventionJson() {}

    static final Set<String> VECTOR_KEYS = Set.of("kind", "artifact", "scale", "layers", "site", "phase");
    static final Set<String> CONTROLLER_KEYS = Set.of("kind", "artifact", "mode", "alpha", "squash");
    static final Set<String> GACT_KEYS = Set.of("kind", "artifact", "alpha", "select", "layers", "phase");
    static final Set<String> TASK_KEYS = Set.of("kind", "artifact");

    /** Reads a JSON array of interventions whose path is {@code path} ({@code vane.interventions}). */
    static List<InterventionSpec> readList(List<JsonNode> items, String path) {
        List<InterventionSpec> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String p = path + "[" + i + "]";
            if (!items.get(i).isObject()) throw ApiError.invalid(p, p + " must be an object");
            out.add(read(new Fields((ObjectNode) items.get(i), p + ".")));
        }
        return out;
    }

    static InterventionSpec read(Fields f) {
        String kind = f.string("kind").orElseThrow(() -> ApiError.invalid(f.param("kind"), f.param("kind") + " is required"));
        if (kind.equals(Method.LAYER_SKIP.jsonName()))
            throw ApiError.invalid(f.param("kind"), "layer skipping is set by vane.layer_skip, not as an intervention");
        String artifact = f.string("artifact")
                .orElseThrow(() -> ApiError.invalid(f.param("artifact"), f.param("artifact") + " is required"));
        try {
            return switch (Method.parse(kind)) {
                case VECTOR -> {
                    f.allowOnly(VECTOR_KEYS);
                    yield new InterventionSpec.Vector(artifact, f.number("scale").orElse(1.0), layers(f),
                            f.string("site").map(VectorSite::parse),
                            f.string("phase").map(PhaseScope::parse).orElse(PhaseScope.BOTH));
                }
                case CONTROLLER -> {
                    f.allowOnly(CONTROLLER_KEYS);
                    ControllerMode mode = f.string("mode").map(ControllerMode::parse).orElse(ControllerMode.PAPER);
                    yield new InterventionSpec.Controller(artifact, mode, f.number("alpha").map(java.util.OptionalDouble::of).orElse(java.util.OptionalDouble.empty()),
                            f.bool("squash").orElse(mode != ControllerMode.CODE));
                }
                case LAYER_SKIP -> throw new IllegalStateException("Method.parse never gives layer_skip");
                case GACT -> {
                    f.allowOnly(GACT_KEYS);
                    yield new InterventionSpec.Gact(artifact, f.number("alpha").orElse(2.0),
                            f.string("select").map(GactSelect::parse).orElse(GactSelect.ARGMAX), layers(f),
                            f.string("phase").map(PhaseScope::parse).orElse(PhaseScope.BOTH));
                }
                case TASK -> {
                    f.allowOnly(TASK_KEYS);
                    yield new InterventionSpec.Task(artifact);
                }
            };
        } catch (PlanException e) {
            throw ApiError.invalid(f.param(e.field()), e.getMessage());
        }
    }

    static final Set<String> LAYER_SKIP_KEYS = Set.of("mode", "alpha", "q", "phase");

    /**
     * {@code vane.layer_skip} (or the admin default): {@code {"mode": "off"}}, or
     * {@code {"mode", "alpha" (0.8), "q" (0.5), "phase" (both)}}.
     */
    static SkipChoice readSkipChoice(Fields f) {
        String mode = f.string("mode").orElseThrow(() -> ApiError.invalid(f.param("mode"), f.param("mode") + " is required"));
        if (mode.equals("off")) {
            f.allowOnly(Set.of("mode"));
            return SkipChoice.OFF;
        }
        if (java.util.Arrays.stream(InterventionSpec.SkipMode.values()).noneMatch(m -> m.jsonName().equals(mode)))
            throw ApiError.invalid(f.param("mode"), f.param("mode") + " must be off, trace, readout, exit or skip-set, got '"
                    + dev.vane.engine.text.Snippet.of(mode) + "'");
        return new SkipChoice.Given(readLayerSkip(f));
    }

    private static InterventionSpec.LayerSkip readLayerSkip(Fields f) {
        f.allowOnly(LAYER_SKIP_KEYS);
        try {
            return new InterventionSpec.LayerSkip(
                    InterventionSpec.SkipMode.parse(f.string("mode")
                            .orElseThrow(() -> ApiError.invalid(f.param("mode"), f.param("mode") + " is required"))),
                    f.number("alpha").orElse(0.8), f.number("q").orElse(0.5),
                    f.string("phase").map(PhaseScope::parse).orElse(PhaseScope.BOTH));
        } catch (PlanException e) {
            throw ApiError.invalid(f.param(e.field()), e.getMessage());
        }
    }

    static ObjectNode writeLayerSkip(InterventionSpec.LayerSkip k) {
        ObjectNode o = JsonBody.JSON.createObjectNode();
        o.put("mode", k.mode().jsonName());
        o.put("alpha", k.alpha());
        o.put("q", k.q());
        o.put("phase", k.phase().jsonName());
        return o;
    }

    /** {@code layers}: {@code [first, last]} inclusive, or one layer as an integer. */
    private static Optional<LayerRange> layers(Fields f) {
        JsonNode v = f.raw("layers");
        if (v == null) return Optional.empty();
        if (v.isIntegralNumber() && v.canConvertToInt()) return Optional.of(new LayerRange(v.intValue(), v.intValue()));
        if (v.isArray() && v.size() == 2 && v.get(0).isIntegralNumber() && v.get(1).isIntegralNumber()
                && v.get(0).canConvertToInt() && v.get(1).canConvertToInt())
            return Optional.of(new LayerRange(v.get(0).intValue(), v.get(1).intValue()));
        throw ApiError.invalid(f.param("layers"), f.param("layers") + " must be [first, last] (inclusive) or one layer index");
    }

    static ObjectNode write(InterventionSpec spec) {
        if (spec instanceof InterventionSpec.LayerSkip k) return writeLayerSkip(k).put("kind", "layer_skip");
        ObjectNode o = JsonBody.JSON.createObjectNode();
        o.put("kind", spec.method().jsonName());
        o.put("artifact", spec.artifact());
        switch (spec) {
            case InterventionSpec.Vector v -> {
                o.put("scale", v.scale());
                v.layers().ifPresent(r -> o.putArray("layers").add(r.first()).add(r.last()));
                v.site().ifPresent(x -> o.put("site", x.jsonName()));
                o.put("phase", v.phase().jsonName());
            }
            case InterventionSpec.Controller c -> {
                o.put("mode", c.mode().jsonName());
                c.alpha().ifPresent(a -> o.put("alpha", a)); // a resolved plan's entries always carry it
                o.put("squash", c.squash());
            }
            case InterventionSpec.LayerSkip k -> throw new AssertionError("handled above");
            case InterventionSpec.Gact g -> {
                o.put("alpha", g.alpha());
                o.put("select", g.select().jsonName());
                g.layers().ifPresent(r -> o.putArray("layers").add(r.first()).add(r.last()));
                o.put("phase", g.phase().jsonName());
            }
            case InterventionSpec.Task k -> {
                // only the artifact: the injection point (last prompt token) and α come with it
            }
        }
        return o;
    }

    static ArrayNode writeList(List<InterventionSpec> specs) {
        ArrayNode a = JsonBody.JSON.createArrayNode();
        specs.forEach(s -> a.add(write(s)));
        return a;
    }
}
