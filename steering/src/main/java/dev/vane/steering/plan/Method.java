package dev.vane.steering.plan;

import dev.vane.engine.text.Snippet;

import java.util.Locale;

/** The intervention methods a plan can hold (methods.md), by their JSON {@code kind}. */
public enum Method {
    /** Plain steering vectors (method 0). */
    VECTOR,
    /** The "Guiding Giants" steering controller (method 1). */
    CONTROLLER,
    /** G-ACT probe-selected steering (method 2). */
    GACT,
    /** LAC void-layer skipping (method 3), from {@code vane.layer_skip}. */
    LAYER_SKIP,
    /** Soft injection of a task embedding into attention heads (method 4). */
    TASK;

    public String jsonName() { return name().toLowerCase(Locale.ROOT); }

    public static Method parse(String s) {
        for (Method m : values()) if (m != LAYER_SKIP && m.jsonName().equals(s)) return m;
        throw new PlanException("kind", "kind must be one of vector, controller, gact, task; got '" + Snippet.of(s) + "'");
    }
}
