package dev.vane.engine.model;

/** Which positions the model projects to vocabulary logits. */
public enum LogitsMode {
    /** Each row's last real token: {@code [B, V]}. */
    LAST,
    /** Every position: {@code [B, T, V]} (scoring, training). */
    ALL
}
