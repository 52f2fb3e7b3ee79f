package dev.vane.engine.generate;

import java.util.Optional;

/**
 * Receives a sequence's tokens as they are generated. One sequence's calls come one at a time and
 * in order; calls for different sequences of one step may come at the same time from the
 * engine's threads ({@link Generator#step} samples its rows in parallel), so a listener shared by
 * several sequences must be thread-safe. Calls run inside the engine's step: hand the token on and
 * return (no model calls, no long blocking).
 */
@FunctionalInterface
public interface TokenListener {

    void onToken(TokenEvent event);

    /**
     * Called once when the sequence finishes, with the text not yet emitted (may be empty) and,
     * for {@link FinishReason#ERROR}, what failed (see {@link GenerationResult#error}).
     */
    default void onFinish(FinishReason reason, String trailingText, Optional<String> error) {}

    TokenListener NONE = event -> {};
}
