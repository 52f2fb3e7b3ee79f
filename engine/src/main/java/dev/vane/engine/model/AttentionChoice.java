package dev.vane.engine.model;

import dev.vane.attention.AttentionKind;
import dev.vane.attention.AttentionOptions;

import java.util.Optional;

/**
 * Which attention a loaded model runs: the kind its checkpoint was trained with, or another only
 * when forced, and the training-free options (softmax algorithm, log-n scaling).
 *
 * @param kind    a kind to run instead of the checkpoint's; empty: the checkpoint's
 * @param force   run {@code kind} even though the checkpoint was trained with another
 * @param options the softmax algorithm and length scale
 */
public record AttentionChoice(Optional<AttentionKind> kind, boolean force, AttentionOptions options) {

    /** The checkpoint's own kind, Hugging Face's algorithm. */
    public static final AttentionChoice DEFAULT = new AttentionChoice(Optional.empty(), false, AttentionOptions.DEFAULT);

    /** The checkpoint's own kind with {@code options}. */
    public static AttentionChoice of(AttentionOptions options) {
        return new AttentionChoice(Optional.empty(), false, options);
    }

    /**
     * The kind to run for a checkpoint trained with {@code trained}; refuses another kind unless
     * forced, and options the kind cannot take.
     */
    public AttentionKind resolve(AttentionKind trained, int headDim) {
        AttentionKind run = kind.orElse(trained);
        if (!run.equals(trained) && !force)
            throw new IllegalArgumentException("attention: this checkpoint was trained with " + describe(trained)
                    + " attention; " + describe(run) + " would give other outputs (--force-attention runs it anyway)");
        run.kernel(headDim, options); // refuses what the kind cannot take before any weight is read
        return run;
    }

    private static String describe(AttentionKind k) {
        return switch (k) {
            case AttentionKind.Softmax s -> "softmax";
            case AttentionKind.Softplus s -> s.id() + " (train length " + s.trainLength() + (s.power() != 1 ? ", power " + s.power() : "") + ")";
            case AttentionKind.Sigmoid s -> "sigmoid (bias " + s.bias() + ")";
        };
    }
}
