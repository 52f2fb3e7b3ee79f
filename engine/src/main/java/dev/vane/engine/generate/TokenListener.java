package dev.vane.engine.generate;

/** Receives a sequence's tokens as they are generated, on the generating thread. */
@FunctionalInterface
public interface TokenListener {

    void onToken(TokenEvent event);

    /** Called once when the sequence finishes, with the text not yet emitted (may be empty). */
    default void onFinish(FinishReason reason, String trailingText) {}

    TokenListener NONE = event -> {};
}
