package dev.vane.engine.generate;

import ai.djl.ndarray.NDScope;
import dev.vane.engine.cache.KvCache;
import dev.vane.engine.config.BeaconConfig;
import dev.vane.engine.constrain.ConstrainedVocabulary;
import dev.vane.engine.constrain.Grammar;
import dev.vane.engine.hooks.PromptReplay;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.hooks.Phase;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.LogitsMode;
import dev.vane.engine.model.StepInput;
import dev.vane.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs sequences to completion on one model and one KV cache: a prefill step over the prompts
 * (rows of different lengths in one padded step), then decode steps, one token per row, until
 * every row has finished. Finished rows leave the batch at once. One generate call at a time
 * (the scheduler of the server interleaves requests on top of {@link #step}).
 */
public final class Generator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Generator.class.getName());

    private final CausalLM model;
    private final Tokenizer tokenizer;
    private final KvCache cache;
    private final Sampler[] samplers; // one per cache slot: rows sample concurrently
    private final float[][] rowLogits; // one reusable vocabulary-sized row per cache slot
    private float[] stepLogits; // the last step's logits array, written again by the next step
    private final boolean[] slotUsed;
    private final Set<Integer> eosIds;
    private volatile ConstrainedVocabulary constrained; // built on the first constrained sequence

    public Generator(CausalLM model, Tokenizer tokenizer, int slots, int contextLength) {
        if (contextLength > model.maxPositions())
            throw new IllegalArgumentException("context " + contextLength + " beyond the model's prepared "
                    + model.maxPositions() + " positions");
        this.model = model;
        this.tokenizer = tokenizer;
        this.cache = model.newCache(slots, contextLength);
        this.samplers = new Sampler[slots];
        for (int i = 0; i < slots; i++) samplers[i] = new Sampler();
        this.rowLogits = new float[slots][];
        this.slotUsed = new boolean[slots];
        Set<Integer> eos = new java.util.TreeSet<>(tokenizer.eosTokenIds());
        eos.addAll(model.config().eosTokenIds());
        this.eosIds = Set.copyOf(eos);
    }

    public CausalLM model() { return model; }
    public Tokenizer tokenizer() { return tokenizer; }
    public int contextLength() { return cache.capacity(); }
    public int slots() { return cache.slots(); }
    /** The KV cache's capacity in bytes (every slot full). */
    public long kvCacheBytes() { return cache.bytes(); }
    /** Bytes of the KV cache held for the sequences admitted now. */
    public long kvCacheBytesInUse() { return cache.bytesInUse(); }
    public Set<Integer> eosTokenIds() { return eosIds; }

    /**
     * The tokenizer's vocabulary as structured output masks it (token bytes in a trie, cached
     * masks): built once, on first use (a 128k vocabulary takes a fraction of a second), then shared.
     */
    public ConstrainedVocabulary constrainedVocabulary() {
        ConstrainedVocabulary v = constrained;
        if (v == null) {
            synchronized (this) {
                v = constrained;
                if (v == null) constrained = v = new ConstrainedVocabulary(tokenizer.tokenBytes());
            }
        }
        return v;
    }

    /** A new sequence for this generator's tokenizer and EOS ids; validates it against the context. */
    public Sequence newSequence(int[] prompt, SamplingParams params, TokenListener listener) {
        return newSequence(prompt, params, listener, RowHooks.NONE);
    }

    /** A new sequence whose row runs {@code hooks} at the hook sites. */
    public Sequence newSequence(int[] prompt, SamplingParams params, TokenListener listener, RowHooks hooks) {
        return newSequence(prompt, params, listener, hooks, OptionalInt.empty());
    }

    /**
     * A new sequence whose context is compressed by Activation Beacon at {@code beaconRatio}
     * (empty: not): its KV slot holds the beacon layout ({@link BeaconMemory}), so prompt and
     * generated tokens together may run far beyond the context length, as long as the layout's
     * largest extent, {@code sink + ⌊N/W⌋·W/r + W + W/r} entries, fits it.
     */
    public Sequence newSequence(int[] prompt, SamplingParams params, TokenListener listener, RowHooks hooks, OptionalInt beaconRatio) {
        return newSequence(prompt, params, listener, hooks, beaconRatio, Optional.empty());
    }

    /** As above, the sequence constrained to {@code grammar} (structured output) when one is given. */
    public Sequence newSequence(int[] prompt, SamplingParams params, TokenListener listener, RowHooks hooks, OptionalInt beaconRatio,
                                Optional<Grammar> grammar) {
        Grammar g = grammar.orElse(null);
        ConstrainedVocabulary vocabulary = g == null ? null : constrainedVocabulary();
        if (beaconRatio.isEmpty()) {
            params.checkContext(prompt.length + (hooks.promptReplay() == PromptReplay.NONE ? 0 : 1), contextLength());
            return new Sequence(prompt, params, tokenizer, eosIds, listener, hooks, g, vocabulary);
        }
        BeaconConfig b = model.beacon().orElseThrow(() -> new InvalidSamplingParamsException("vane.beacon",
                "this model has no Activation Beacon parameters (model.beacon_embed_tokens and beacon_* settings)"));
        int r = beaconRatio.getAsInt();
        BeaconMemory memory;
        try {
            memory = new BeaconMemory(b, r, model.config().vocabSize());
        } catch (IllegalArgumentException e) {
            throw new InvalidSamplingParamsException("vane.beacon.ratio", e.getMessage());
        }
        if (hooks.promptReplay() != PromptReplay.NONE)
            throw new InvalidSamplingParamsException("vane.beacon", "Activation Beacon cannot run with an intervention that replays the prompt");
        long tokens = (long) prompt.length + params.maxTokens();
        long extent = b.extent(tokens, r);
        if (extent > contextLength())
            throw new InvalidSamplingParamsException("max_tokens", "with beacon ratio " + r + " a sequence of " + tokens
                    + " tokens (prompt and max_tokens) needs up to " + extent + " KV entries, beyond the context length of "
                    + contextLength() + "; use a larger ratio or fewer tokens");
        Sequence s = new Sequence(prompt, params, tokenizer, eosIds, listener, hooks, g, vocabulary);
        s.useBeacon(memory);
        return s;
    }

    /** Generates one sequence to completion. */
    public synchronized GenerationResult generate(int[] prompt, SamplingParams params, TokenListener listener) {
        Sequence s = newSequence(prompt, params, listener);
        run(List.of(s));
        return s.result();
    }

    /** Runs the given sequences together until all have finished. */
    public synchronized void run(List<Sequence> sequences) {
        if (sequences.size() > cache.slots())
            throw new IllegalArgumentException(sequences.size() + " sequences but only " + cache.slots() + " slots");
        for (Sequence s : sequences) admit(s);
        try {
            List<Sequence> active = new ArrayList<>(sequences);
            while (!active.isEmpty()) {
                step(active);
                active.removeIf(s -> {
                    if (!s.isFinished()) return false;
                    release(s);
                    return true;
                });
            }
        } catch (RuntimeException e) {
            for (Sequence s : sequences) {
                s.abort(FinishReason.ERROR);
                release(s);
            }
            throw e;
        }
    }

    /** Whether a cache slot is free. */
    public synchronized boolean hasFreeSlot() {
        for (boolean used : slotUsed) if (!used) return true;
        return false;
    }

    /** Gives the sequence a free cache slot. */
    public synchronized void admit(Sequence s) {
        for (int i = 0; i < slotUsed.length; i++)
            if (!slotUsed[i]) {
                cache.acquire(i);
                slotUsed[i] = true;
                s.assign(i);
                return;
            }
        throw new IllegalStateException("no free KV cache slot");
    }

    /** Frees the sequence's slot (and its KV entries) and what its hooks hold. */
    public synchronized void release(Sequence s) {
        if (s.slot() >= 0 && slotUsed[s.slot()]) {
            slotUsed[s.slot()] = false;
            cache.release(s.slot());
        }
        s.hooks().close();
    }

    /** One forward step over the unfinished rows (whole prompts), then sampling per row. */
    public void step(List<Sequence> rows) {
        step(rows, Integer.MAX_VALUE);
    }


    /**
     * One forward step over the unfinished rows, feeding prompt rows at most {@code prefillChunk}
     * tokens; rows whose prompt is now complete (and decode rows) sample their next token.
     *
     * <p>A failure inside one row ends that row's sequence alone with {@link FinishReason#ERROR}
     * and a message ({@link GenerationResult#error}); the other rows continue exactly as they
     * would have without it, since no row's values reach another's. Such failures are: its hooks
     * throwing ({@link StepHooks#isolating}), its logits holding NaN or +Infinity (its
     * activations overflowed), and anything thrown while it samples or emits its token.
     *
     * @return the number of rows fed (beacon rows included)
     */
    public int step(List<Sequence> rows, int prefillChunk) {
        List<Sequence> live = rows.stream().filter(s -> !s.isFinished()).toList();
        if (live.isEmpty()) return 0;
        int b = live.size();
        int[][] tokens = new int[b][];
        int[] start = new int[b];
        int[] slot = new int[b];
        Phase[] phase = new Phase[b];
        boolean[] last = new boolean[b];
        List<RowHooks> hooks = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
            Sequence s = live.get(r);
            tokens[r] = s.nextInput(prefillChunk);
            start[r] = s.kvPosition();
            slot[r] = s.slot();
            phase[r] = s.inPrompt() ? Phase.PROMPT : Phase.GENERATION;
            last[r] = s.inPrompt() && s.position() + s.rawCount(tokens[r]) >= s.promptLength();
            hooks.add(s.hooks());
        }
        // every position's logits when a row scores its prompt (prompt_logprobs), else each row's last
        boolean all = live.stream().anyMatch(Sequence::scoresPrompt);
        StepInput input = new StepInput(tokens, start, slot, phase, last);
        float[] logits;
        StepHooks stepHooks = StepHooks.isolating(hooks);
        try (NDScope scope = new NDScope()) {
            logits = model.forwardLogits(input, cache, stepHooks, all ? LogitsMode.ALL : LogitsMode.LAST, all ? null : stepLogits);
        }
        // reused by the next step (the rows below are copied out of it); every position's logits of
        // a scoring step ([B·T, V], up to the prefill chunk's rows) are not kept for later steps
        if (!all) stepLogits = logits;
        int width = input.width();
        for (int r = 0; r < b; r++) { // beacon rows: a window that this step filled closes
            Sequence s = live.get(r);
            s.beaconFed(tokens[r]).ifPresent(m -> model.moveBeacons(cache, s.slot(), m.from(), m.to()));
        }
        for (int r = 0; r < b; r++) {
            Sequence s = live.get(r);
            stepHooks.failure(r).ifPresent(f -> {
                LOG.log(Level.WARNING, "an intervention failed at " + f.site() + "; ending its sequence " + s, f.cause());
                s.fail("an intervention of this sequence failed at " + f.site());
            });
        }
        int v = model.config().vocabSize();
        // Rows sample, detokenise and call their listeners on the kernel's threads, each into its
        // slot's reused row (samplers may change a row in place). Why: on one thread, with a fresh
        // 512 KB copy of each row (allocated, zeroed, copied) and a stream's wake-up per token, this
        // part takes about 7% of a batch-8 decode step on a 128k vocabulary.
        model.parallel(b, r -> {
            Sequence s = live.get(r);
            if (s.isFinished()) return; // failed in the forward step
            try {
                int fed = s.rawCount(tokens[r]);
                int at = all ? r * width : r; // the row's first position in the logits
                if (s.scoresPrompt()) s.scorePrompt(j -> row(s.slot(), logits, (at + j) * v, v), fed);
                int lastAt = all ? at + input.last(r, v) : r;
                if (s.inPrompt() && !last[r]) s.advance(fed);
                else if (last[r] && !s.samplesAfterPrompt()) s.markReplay(fed);
                else s.accept(row(s.slot(), logits, lastAt * v, v), samplers[s.slot()], fed);
            } catch (dev.vane.engine.constrain.AmbiguousGrammarException e) {
                s.fail(e.getMessage()); // the request's own grammar: its message says what to change
            } catch (RuntimeException | StackOverflowError e) {
                LOG.log(Level.WARNING, "sampling failed; ending its sequence " + s, e);
                s.fail(Sequence.ENGINE_FAILED);
            }
        });
        int fed = 0;
        for (int[] t : tokens) fed += t.length;
        return fed;
    }

    /** Slot {@code slot}'s reused row holding {@code logits[from, from + v)}. */
    private float[] row(int slot, float[] logits, int from, int v) {
        float[] row = rowLogits[slot];
        if (row == null || row.length != v) rowLogits[slot] = row = new float[v];
        System.arraycopy(logits, from, row, 0, v);
        return row;
    }

    @Override
    public void close() {
        cache.close();
    }
}
