package dev.vane.engine.generate;

import dev.vane.engine.constrain.TokenConstraint;

import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Sampling state of one sequence: its {@link SamplingParams}, its random generator and its
 * incrementally kept {@link TokenCounts}. Small (no vocabulary-sized arrays); the vocabulary-sized
 * scratch lives in the {@link Sampler}, one per worker thread.
 *
 * <p>The generator is a {@link SplittableRandom} seeded with {@code params.seed()} when present and
 * with a fresh random seed otherwise ({@link #seed()} reports the one used). Each non-greedy
 * {@link Sampler#sample sample} draws exactly one {@code nextDouble()}; greedy steps draw nothing. So
 * the same seed, parameters, prompt and logits give the same tokens.
 *
 * <p>Prompt tokens are recorded only when the repetition penalty is active (the only transform that
 * reads them). Call {@link #append} with every generated token, after sampling it.
 *
 * <p>A constrained sequence (structured output) also carries its {@link TokenConstraint}: the
 * sampler masks the tokens it forbids, and {@link #append} advances it.
 *
 * <p>Not thread-safe.
 */
public final class SequenceState {
    private final SamplingParams params;
    private final long seed;
    private final RandomGenerator random;
    private final TokenCounts counts;
    private final int[] endTokens;
    private final TokenConstraint constraint;

    /**
     * @param params the sequence's sampling parameters
     * @param promptTokens the prompt's token ids (read once, not retained)
     */
    public SequenceState(SamplingParams params, int[] promptTokens) {
        this(params, promptTokens, new int[0]);
    }

    /**
     * @param endTokens the token ids that would end the sequence ({@link StopCriteria#stopTokens}),
     *                  masked until {@code min_tokens} tokens are generated
     */
    public SequenceState(SamplingParams params, int[] promptTokens, int[] endTokens) {
        this(params, promptTokens, endTokens, null);
    }

    /**
     * @param constraint the sequence's structured-output constraint, or null for none; with one, the
     *                   {@code min_tokens} mask of the end tokens does not apply (the constraint
     *                   allows them exactly when the JSON is complete)
     */
    public SequenceState(SamplingParams params, int[] promptTokens, int[] endTokens, TokenConstraint constraint) {
        this.constraint = constraint;
        this.params = Objects.requireNonNull(params, "params");
        this.endTokens = endTokens.clone();
        Objects.requireNonNull(promptTokens, "promptTokens");
        this.seed = params.seed().orElseGet(() -> ThreadLocalRandom.current().nextLong());
        this.random = new SplittableRandom(seed);
        this.counts = params.repetitionPenalty() != 1 ? new TokenCounts(promptTokens) : new TokenCounts();
    }

    public SamplingParams params() {
        return params;
    }

    /** The seed of this sequence's generator: {@code params.seed()} if given, else the random one drawn. */
    public long seed() {
        return seed;
    }

    /** Token statistics used by the penalties. */
    public TokenCounts counts() {
        return counts;
    }

    /** Records a generated token (updates the counts used by the penalties, and advances the constraint). */
    public void append(int token) {
        counts.append(token);
        if (constraint != null) constraint.accept(token);
    }

    /** The structured-output constraint, or null. */
    public TokenConstraint constraint() {
        return constraint;
    }

    /** Whether a constraint's JSON is complete with nothing allowed after it: the sequence is done. */
    public boolean constraintFinished() {
        return constraint != null && constraint.finished();
    }

    /** Number of tokens {@link #append appended} so far. */
    public int generatedTokens() {
        return counts.generatedLength();
    }

    /** The end tokens masked while fewer than {@code min_tokens} tokens are generated; empty after that. */
    int[] maskedEndTokens() {
        return constraint == null && generatedTokens() < params.minTokens() ? endTokens : NONE;
    }

    private static final int[] NONE = new int[0];

    RandomGenerator random() {
        return random;
    }
}
