package dev.vane.engine.generate;

import dev.vane.engine.constrain.ConstrainedVocabulary;
import dev.vane.engine.constrain.Grammar;
import dev.vane.engine.constrain.TokenConstraint;
import dev.vane.engine.hooks.PromptReplay;
import dev.vane.engine.hooks.RowHooks;

import dev.vane.engine.tokenizer.IncrementalDecoder;
import dev.vane.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * One request's row: its prompt, what it has generated, and the per-sequence machinery
 * (seeded sampler state, stop criteria, UTF-8-safe detokeniser, stop-string matcher). The
 * generator feeds it one row of logits per step through {@link #accept}.
 */
public final class Sequence {

    private final int[] prompt;
    private final SamplingParams params;
    private final TokenListener listener;
    private final SequenceState state;
    private final StopCriteria criteria;
    private final IncrementalDecoder decoder;
    private final StopStringMatcher stops;
    private final RowHooks hooks;
    private boolean replayed;
    private final StringBuilder text = new StringBuilder();
    private final List<TokenLogprobs> logprobs = new ArrayList<>();
    private final List<TokenLogprobs> promptLogprobs = new ArrayList<>();
    private final List<Integer> generated = new ArrayList<>();
    private final long admitted = System.nanoTime();
    private volatile boolean cancelled;
    private long started;
    private long firstToken;
    private long finished;
    private int position;
    private Optional<BeaconMemory> beacon = Optional.empty();
    private int slot = -1;
    private FinishReason finish;
    private String error; // with ERROR: what failed, for the client

    public Sequence(int[] prompt, SamplingParams params, Tokenizer tokenizer, Collection<Integer> eosIds,
                    TokenListener listener) {
        this(prompt, params, tokenizer, eosIds, listener, RowHooks.NONE);
    }

    /** A sequence whose row runs {@code hooks} (its request's interventions) at the hook sites. */
    public Sequence(int[] prompt, SamplingParams params, Tokenizer tokenizer, Collection<Integer> eosIds,
                    TokenListener listener, RowHooks hooks) {
        this(prompt, params, tokenizer, eosIds, listener, hooks, null, null);
    }

    /**
     * A sequence constrained to {@code grammar} (structured output; null for none), its tokens
     * masked over {@code vocabulary}: it ends with {@link FinishReason#STOP} once the JSON is
     * complete and nothing may follow it, or on an end token the constraint allowed; with
     * {@link FinishReason#LENGTH} instead where the token budget shaped its end
     * ({@link TokenConstraint#budgetShaped}), as when it runs out.
     */
    public Sequence(int[] prompt, SamplingParams params, Tokenizer tokenizer, Collection<Integer> eosIds,
                    TokenListener listener, RowHooks hooks, Grammar grammar, ConstrainedVocabulary vocabulary) {
        if (prompt.length == 0) throw new InvalidSamplingParamsException("prompt", "prompt must not be empty");
        this.prompt = prompt.clone();
        this.params = params;
        this.listener = listener;
        this.criteria = StopCriteria.of(params, eosIds);
        this.state = new SequenceState(params, this.prompt, criteria.stopTokens(),
                grammar == null ? null : new TokenConstraint(grammar, vocabulary, criteria.stopTokens()));
        this.decoder = tokenizer.newIncrementalDecoder(params.skipSpecialTokens());
        this.stops = new StopStringMatcher(params.stop());
        this.hooks = java.util.Objects.requireNonNull(hooks, "hooks");
    }

    /** This row's hooks ({@link RowHooks#NONE} without interventions). */
    public RowHooks hooks() { return hooks; }

    public SamplingParams params() { return params; }
    public int promptLength() { return prompt.length; }

    /** Prompt tokens not yet fed to the model (0 once generating). */
    public int promptTokensLeft() { return Math.max(0, prompt.length - position); }
    public int slot() { return slot; }
    public boolean isFinished() { return finish != null; }
    public Optional<FinishReason> finishReason() { return Optional.ofNullable(finish); }

    /** Asks the sequence to stop; it finishes with {@link FinishReason#CANCELLED} at the next step. */
    public void cancel() { cancelled = true; }

    void assign(int slot) {
        this.slot = slot;
        this.started = System.nanoTime();
    }

    /** Tokens fed so far: the index of the next prompt token, or prompt + generated tokens fed. */
    int position() { return position; }

    /** Where the next step's first row goes in the KV slot: {@link #position}, or the beacon layout's next entry. */
    int kvPosition() { return beacon.map(BeaconMemory::position).orElse(position); }

    /** Runs this sequence in Activation Beacon windows ({@code vane.beacon}); before its first step. */
    void useBeacon(BeaconMemory memory) {
        if (position > 0) throw new IllegalStateException("beacon memory set after the first step");
        if (params.promptLogprobs() >= 0)
            throw new InvalidSamplingParamsException("prompt_logprobs", "prompt_logprobs cannot be computed for a beacon-compressed sequence");
        beacon = Optional.of(memory);
    }

    /**
     * Tokens to feed this step: the next chunk of at most {@code chunk} prompt tokens (with
     * beacons, at most what the open window takes, beacons inserted), then the last generated token.
     */
    int[] nextInput(int chunk) {
        int[] raw;
        if (position < prompt.length) {
            int room = beacon.map(BeaconMemory::room).orElse(Integer.MAX_VALUE);
            raw = Arrays.copyOfRange(prompt, position, position + Math.min(Math.min(prompt.length - position, chunk), room));
        } else raw = new int[] {generated.get(generated.size() - 1)};
        return beacon.isPresent() ? beacon.get().input(raw) : raw;
    }

    /** The tokens of a step input that are the sequence's own (not beacons). */
    int rawCount(int[] input) {
        return beacon.map(b -> b.rawCount(input)).orElse(input.length);
    }

    /** Records a fed step input in the beacon layout; the move of beacons that closes a full window, if it filled one. */
    Optional<BeaconMemory.Move> beaconFed(int[] input) {
        return beacon.flatMap(b -> b.fed(input));
    }

    /** Whether this step's logits of the prompt positions it feeds are wanted ({@code prompt_logprobs}). */
    public boolean scoresPrompt() {
        return params.promptLogprobs() >= 0 && position < prompt.length && promptLogprobs.size() < prompt.length - 1;
    }

    /**
     * Records the log-probabilities of the prompt tokens that {@code fed} positions from the current
     * one predict: {@code logits(j)} gives the row of the j-th fed position. Each prompt token is
     * scored once (a replayed prompt is not scored again).
     */
    void scorePrompt(java.util.function.IntFunction<float[]> logits, int fed) {
        for (int j = 0; j < fed; j++) {
            int next = position + j + 1; // the prompt token that position predicts
            if (next != promptLogprobs.size() + 1 || next >= prompt.length) continue;
            promptLogprobs.add(TokenLogprobs.compute(logits.apply(j), prompt[next], params.promptLogprobs()));
        }
    }

    /** Whether the prompt has not been fully processed yet. */
    public boolean inPrompt() { return position < prompt.length; }

    /** Whether {@link #cancel} was called. */
    public boolean cancelRequested() { return cancelled; }

    /**
     * Whether the step that feeds the final prompt token should sample from it: not when the row's
     * hooks ask for that token to be replayed and it has not been yet.
     */
    boolean samplesAfterPrompt() {
        return replayed || hooks.promptReplay() == PromptReplay.NONE;
    }

    /**
     * Records the first pass over the final prompt token; the next step feeds that token again
     * ({@link PromptReplay#LAST_TOKEN}) or the prompt from position 0 ({@link PromptReplay#WHOLE_PROMPT}).
     */
    void markReplay(int fed) {
        position = hooks.promptReplay() == PromptReplay.WHOLE_PROMPT ? 0 : position + fed - 1;
        replayed = true;
    }

    /** Records a prompt chunk that did not reach the end of the prompt (no token is sampled). */
    void advance(int tokens) {
        position += tokens;
        if (position >= prompt.length) throw new IllegalStateException("the final prompt chunk must be sampled from");
    }

    /**
     * Consumes this row's logits after feeding {@code fed} tokens: samples, checks stops, emits
     * text. Logits holding NaN or +Infinity (the row's activations overflowed) end the sequence
     * with {@link FinishReason#ERROR} instead.
     */
    void accept(float[] logits, Sampler sampler, int fed) {
        position += fed;
        if (cancelled) {
            finish(FinishReason.CANCELLED, "");
            return;
        }
        int bad = NonFinite.firstIndex(logits);
        if (bad >= 0) {
            fail("numerical failure: the model's logits became " + (Float.isNaN(logits[bad]) ? "NaN" : "infinite")
                    + " at token " + (generated.size() + 1) + " of this sequence (an intervention too strong for this model?)");
            return;
        }
        int token = sampler.sample(logits, state);
        state.append(token);
        generated.add(token);
        if (firstToken == 0) firstToken = System.nanoTime();
        Optional<TokenLogprobs> lp = params.logprobs() > 0
                ? Optional.of(TokenLogprobs.compute(logits, token, params.logprobs()))
                : Optional.empty();
        lp.ifPresent(logprobs::add);
        Optional<FinishReason> end = criteria.check(token, generated.size());
        boolean shaped = state.constraint() != null && state.constraint().budgetShaped();
        if (state.constraintFinished() && !criteria.isStopToken(token))
            end = Optional.of(shaped ? FinishReason.LENGTH : FinishReason.STOP);
        if (end.isPresent() && criteria.isStopToken(token)) {
            listener.onToken(new TokenEvent(token, "", lp));
            finish(shaped ? FinishReason.LENGTH : FinishReason.STOP, drain());
            return;
        }
        String piece = decoder.push(token);
        // stop strings are looked for in the text of the tokens after the first min_tokens
        StopStringMatcher.Result r = generated.size() <= params.minTokens()
                ? new StopStringMatcher.Result(piece, false, null) : stops.offer(piece);
        String out = emitted(r);
        text.append(out);
        listener.onToken(new TokenEvent(token, out, lp));
        if (r.stopped()) finish(FinishReason.STOP, "");
        else if (end.isPresent()) finish(end.get(), drain());
    }

    /** A matcher result's text, and the stop string that ended it when the request keeps it ({@code include_stop_str_in_output}). */
    private String emitted(StopStringMatcher.Result r) {
        return r.stopped() && params.includeStopStrInOutput() ? r.text() + r.matchedStop() : r.text();
    }

    /** Releases text held back by the detokeniser and the stop-string matcher at the end. */
    private String drain() {
        StopStringMatcher.Result r = stops.offer(decoder.flush());
        return r.stopped() ? emitted(r) : r.text() + stops.flush();
    }

    /**
     * Ends the sequence from outside the sampling loop (deadline, cancellation, or with
     * {@link FinishReason#ERROR} a failure of the whole step, reported as such).
     */
    public void abort(FinishReason reason) {
        if (reason == FinishReason.ERROR) fail(ENGINE_FAILED);
        else finish(reason, "");
    }

    /** What a sequence ended by a failure of the engine (not of its own row) reports. */
    static final String ENGINE_FAILED = "generation failed in the engine";

    /** Ends the sequence with {@link FinishReason#ERROR}; {@code message} says what failed, fit for the client. */
    void fail(String message) {
        if (finish != null) return;
        error = message;
        finish(FinishReason.ERROR, "");
    }

    void finish(FinishReason reason, String trailing) {
        if (finish != null) return;
        text.append(trailing);
        finish = reason;
        finished = System.nanoTime();
        listener.onFinish(reason, trailing, Optional.ofNullable(error));
    }

    /** The result; valid once finished. */
    public GenerationResult result() {
        if (finish == null) throw new IllegalStateException("sequence not finished");
        int[] ids = generated.stream().mapToInt(Integer::intValue).toArray();
        return new GenerationResult(ids, text.toString(), finish, List.copyOf(logprobs), prompt.length,
                new GenerationResult.Timings((started == 0 ? finished : started) - admitted,
                        firstToken == 0 ? 0 : firstToken - admitted, finished - admitted), Optional.ofNullable(error),
                List.copyOf(promptLogprobs));
    }

    @Override
    public String toString() {
        return "Sequence[prompt=" + prompt.length + ", generated=" + generated.size() + ", slot=" + slot
                + ", finish=" + finish + "]";
    }
}
