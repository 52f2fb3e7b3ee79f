package dev.vane.server;

import dev.vane.attention.AttentionKind;
import dev.vane.attention.AttentionOptions;
import dev.vane.engine.model.Backend;

/**
 * The attention the served model runs: its kind, the options the server was started with, and
 * what a request may change ({@link AttentionRequest#resolve}).
 */
record ServedAttention(AttentionKind kind, int headDim, Backend.Kind backend, AttentionOptions options) {

    /** The options a request's rows run with (empty: the served ones). */
    java.util.Optional<AttentionOptions> forRequest(AttentionRequest request) {
        return request.resolve(kind, backend, options);
    }

    /** The kernel's label under {@code o} ({@code softmax_online}, …). */
    String label(AttentionOptions o) {
        return kind.kernel(headDim, o).label();
    }
}
