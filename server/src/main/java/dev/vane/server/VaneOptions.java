package dev.vane.server;

import dev.vane.steering.control.ProfileChoice;
import dev.vane.steering.control.SkipChoice;
import dev.vane.steering.plan.InterventionSpec;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The request's {@code vane} object. Every key of the design is recognised and type-checked, and
 * unknown keys are refused so that typos never pass silently.
 *
 * @param profile       the steering profile to apply: the server's default one (if any) unless the
 *                      request names one, or {@code "none"}
 * @param interventions inline interventions, applied after the profile's, in order
 * @param layerSkip     LAC layer skipping for this request: the server's default (if any) unless the
 *                      request sets its own, or {@code {"mode": "off"}}
 * @param beacon        Activation Beacon compression of the request's context ({@link BeaconRequest})
 * @param attention     the request's attention options ({@link AttentionRequest})
 * @param trace         whether the response's {@code vane} object carries timings and details
 * @param timeout       this request's generation deadline ({@code timeout_seconds}, counted from
 *                      admission to the queue); the server's {@code --request-timeout} caps it
 */
record VaneOptions(ProfileChoice profile, List<InterventionSpec> interventions,
                   SkipChoice layerSkip, BeaconRequest beacon, AttentionRequest attention, boolean trace, Optional<Duration> timeout) {

    static final VaneOptions NONE = new VaneOptions(ProfileChoice.DEFAULT, List.of(), SkipChoice.DEFAULT, BeaconRequest.OFF,
            AttentionRequest.NONE, false, Optional.empty());
    /** The longest {@code timeout_seconds}: a day. */
    static final double MAX_TIMEOUT_SECONDS = 86_400;
    /** The keys of a {@code vane} object; the OpenAPI document's {@code VaneOptions} schema lists the same. */
    static final Set<String> KEYS = Set.of("profile", "interventions", "layer_skip", "beacon", "attention", "trace",
            "timeout_seconds");

    VaneOptions {
        interventions = List.copyOf(interventions);
    }

    static VaneOptions read(Fields request) {
        return request.object("vane").map(VaneOptions::parse).orElse(NONE);
    }

    private static VaneOptions parse(Fields v) {
        v.allowOnly(KEYS);
        ProfileChoice profile = v.string("profile").map(ProfileChoice::of).orElse(ProfileChoice.DEFAULT);
        List<InterventionSpec> inline = v.array("interventions")
                .map(list -> InterventionJson.readList(list, v.param("interventions")))
                .orElse(List.of());
        SkipChoice skip = v.object("layer_skip").map(InterventionJson::readSkipChoice).orElse(SkipChoice.DEFAULT);
        BeaconRequest beacon = v.object("beacon").map(BeaconRequest::parse).orElse(BeaconRequest.OFF);
        AttentionRequest attention = v.object("attention").map(AttentionRequest::parse).orElse(AttentionRequest.NONE);
        return new VaneOptions(profile, inline, skip, beacon, attention, v.bool("trace").orElse(false), timeout(v));
    }

    private static Optional<Duration> timeout(Fields v) {
        return v.number("timeout_seconds").map(t -> {
            if (!(t > 0 && t <= MAX_TIMEOUT_SECONDS))
                throw ApiError.invalid(v.param("timeout_seconds"), v.param("timeout_seconds")
                        + " must be a number of seconds in (0, " + (long) MAX_TIMEOUT_SECONDS + "], got " + t);
            return Duration.ofNanos(Math.max(1, Math.round(t * 1e9)));
        });
    }
}
