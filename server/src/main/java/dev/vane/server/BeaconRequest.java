package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.config.BeaconConfig;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A request's {@code vane.beacon}: Activation Beacon compression of its sequences' context,
 * {@code {"ratio": r}} with r a power of two (2, 4, 8, …) that divides the model's beacon window
 * (checked by the engine, which knows the window), {@code "adapt"} (the smallest of the model's
 * trained ratios whose layout fits the context), or 0 (off, as when the key is absent).
 */
sealed interface BeaconRequest {

    /** No compression. */
    record Off() implements BeaconRequest {}

    /** A fixed ratio. */
    record Fixed(int ratio) implements BeaconRequest {}

    /** The smallest trained ratio that fits ({@link BeaconConfig#adaptiveRatio}). */
    record Adapt() implements BeaconRequest {}

    BeaconRequest OFF = new Off();

    static BeaconRequest parse(Fields b) {
        b.allowOnly(Set.of("ratio"));
        JsonNode n = b.raw("ratio");
        String p = b.param("ratio");
        if (n == null) throw ApiError.invalid(p, p + " is required: 0 (off), a power of two such as 8, or \"adapt\"");
        if (n.isTextual() && n.asText().equals("adapt")) return new Adapt();
        if (n.isIntegralNumber() && n.canConvertToInt()) return n.intValue() == 0 ? OFF : new Fixed(n.intValue());
        throw ApiError.invalid(p, p + " must be 0 (off), a power of two ≥ 2 such as 8, or \"adapt\", got " + n);
    }

    /**
     * The ratio a sequence of {@code tokens} tokens (prompt and {@code max_tokens}) runs at on a
     * model with {@code model}'s beacon settings and KV slots of {@code entries}; empty when off.
     *
     * @throws ApiError 400 naming {@code vane.beacon} when the model has no beacon parameters
     */
    default OptionalInt resolve(Optional<BeaconConfig> model, long tokens, int entries) {
        if (this instanceof Off) return OptionalInt.empty();
        BeaconConfig b = model.orElseThrow(() -> ApiError.invalid("vane.beacon",
                "this model has no Activation Beacon parameters (model.beacon_embed_tokens and the beacon_* settings of config.json)"));
        return switch (this) {
            case Fixed f -> OptionalInt.of(f.ratio());
            case Adapt a -> OptionalInt.of(b.adaptiveRatio(tokens, entries));
            case Off o -> OptionalInt.empty();
        };
    }
}
