package dev.vane.steering.control;

import dev.vane.steering.plan.InterventionSpec;

/**
 * A request's layer skipping ({@code vane.layer_skip}): the server's default (when the field is
 * absent), off ({@code {"mode": "off"}}, even when the server has a default), or its own.
 */
public sealed interface SkipChoice {

    /** The server's default layer skipping, if one is set. */
    record Default() implements SkipChoice {}

    /** No layer skipping. */
    record Off() implements SkipChoice {}

    /** This request's own layer skipping. */
    record Given(InterventionSpec.LayerSkip skip) implements SkipChoice {}

    SkipChoice DEFAULT = new Default();
    SkipChoice OFF = new Off();
}
