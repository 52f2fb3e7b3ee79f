package dev.vane.server;

import dev.vane.steering.plan.InterventionSpec;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The request's {@code vane} object. Every key of the design is recognised and type-checked;
 * {@code layer_skip}, {@code beacon} and {@code attention} are refused with 400 "not supported
 * yet" until their methods exist, and unknown keys are refused so that typos never pass silently.
 *
 * @param profile       the steering profile to apply (else the server's default profile, if any)
 * @param interventions inline interventions, applied after the profile's, in order
 * @param trace         whether the response's {@code vane} object carries timings and details
 */
record VaneOptions(Optional<String> profile, List<InterventionSpec> interventions, boolean trace) {

    static final VaneOptions NONE = new VaneOptions(Optional.empty(), List.of(), false);
    private static final Set<String> KEYS = Set.of("profile", "interventions", "layer_skip", "beacon", "attention", "trace");

    VaneOptions {
        interventions = List.copyOf(interventions);
    }

    static VaneOptions read(Fields request) {
        return request.object("vane").map(VaneOptions::parse).orElse(NONE);
    }

    private static VaneOptions parse(Fields v) {
        v.allowOnly(KEYS);
        Optional<String> profile = v.string("profile");
        List<InterventionSpec> inline = v.array("interventions")
                .map(list -> InterventionJson.readList(list, v.param("interventions")))
                .orElse(List.of());
        for (String key : new String[] {"layer_skip", "beacon", "attention"})
            if (v.object(key).isPresent()) throw ApiError.unsupported(v.param(key), v.param(key));
        return new VaneOptions(profile, inline, v.bool("trace").orElse(false));
    }
}
