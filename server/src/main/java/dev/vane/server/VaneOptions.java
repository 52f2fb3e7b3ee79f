package dev.vane.server;

import dev.vane.steering.plan.InterventionSpec;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The request's {@code vane} object. Every key of the design is recognised and type-checked;
 * {@code beacon} and {@code attention} are refused with 400 "not supported yet" until their
 * methods exist, and unknown keys are refused so that typos never pass silently.
 *
 * @param profile       the steering profile to apply (else the server's default profile, if any)
 * @param interventions inline interventions, applied after the profile's, in order
 * @param layerSkip     LAC layer skipping for this request (else the server's default, if any)
 * @param trace         whether the response's {@code vane} object carries timings and details
 */
record VaneOptions(Optional<String> profile, List<InterventionSpec> interventions,
                   Optional<InterventionSpec.LayerSkip> layerSkip, boolean trace) {

    static final VaneOptions NONE = new VaneOptions(Optional.empty(), List.of(), Optional.empty(), false);
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
        Optional<InterventionSpec.LayerSkip> skip = v.object("layer_skip").map(InterventionJson::readLayerSkip);
        for (String key : new String[] {"beacon", "attention"})
            if (v.object(key).isPresent()) throw ApiError.unsupported(v.param(key), v.param(key));
        return new VaneOptions(profile, inline, skip, v.bool("trace").orElse(false));
    }
}
