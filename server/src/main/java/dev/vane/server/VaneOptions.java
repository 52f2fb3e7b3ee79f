package dev.vane.server;

import java.util.Set;

/**
 * The request's {@code vane} object. Every key of the design is recognised and type-checked; those
 * that need the steering machinery ({@code profile}, non-empty {@code interventions},
 * {@code layer_skip}, {@code beacon}, {@code attention}) are refused with 400 "not supported yet"
 * until it exists, and unknown keys are refused so that typos never pass silently.
 *
 * @param trace whether the response carries a {@code vane} object with what was applied and timings
 */
record VaneOptions(boolean trace) {

    static final VaneOptions NONE = new VaneOptions(false);
    private static final Set<String> KEYS = Set.of("profile", "interventions", "layer_skip", "beacon", "attention", "trace");

    static VaneOptions read(Fields request) {
        return request.object("vane").map(VaneOptions::parse).orElse(NONE);
    }

    private static VaneOptions parse(Fields v) {
        v.allowOnly(KEYS);
        if (v.string("profile").isPresent()) throw ApiError.unsupported(v.param("profile"), v.param("profile"));
        v.array("interventions").ifPresent(list -> {
            if (!list.isEmpty()) throw ApiError.unsupported(v.param("interventions"), v.param("interventions"));
        });
        for (String key : new String[] {"layer_skip", "beacon", "attention"})
            if (v.object(key).isPresent()) throw ApiError.unsupported(v.param(key), v.param(key));
        return new VaneOptions(v.bool("trace").orElse(false));
    }
}
