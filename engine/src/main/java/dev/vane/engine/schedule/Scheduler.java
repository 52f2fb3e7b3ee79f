package dev.vane.engine.schedule;

import dev.vane.engine.generate.FinishReason;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.Sequence;
import dev.vane.engine.generate.TokenEvent;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.tokenizer.Tokenizer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Continuous batching on one engine thread. Each iteration:
 * <ol>
 *   <li>ends waiting requests that were cancelled or whose deadline passed (they leave the queue
 *       at once, slots or not), then admits waiting requests while KV slots are free (unless
 *       admission is held, {@link #holdAdmission});</li>
 *   <li>ends cancelled and expired sequences (their slots free at once);</li>
 *   <li>runs one decode step over every sequence past its prompt (one token per row);</li>
 *   <li>runs one prefill step over the sequences still in their prompt: the oldest one's next
 *       chunk of at most {@code prefillChunk} tokens, batched with the next ones' while the padded
 *       step stays within {@code prefillChunk} tokens ({@link #prefillBatch}), so a long prompt
 *       delays running decodes by one chunk at a time;</li>
 *   <li>retires finished sequences and completes their futures.</li>
 * </ol>
 * Rows join and leave the running batch between steps; each row's tokens depend only on its own
 * cache slot and seed, so output is the same whether a request runs alone or batched.
 */
public final class Scheduler implements GenerationService {

    private static final Logger LOG = Logger.getLogger(Scheduler.class.getName());

    private final Generator generator;
    private final SchedulerConfig config;
    private final StepObserver observer;
    private final Deque<Entry> waiting = new ArrayDeque<>();
    private final List<Entry> running = new ArrayList<>();
    private final Thread thread;
    private final Backlog backlog = new Backlog();
    private volatile boolean closed;
    private volatile boolean draining;
    private volatile int runningCount;
    private int holds; // guarded by this
    /** Prompt tokens per step of a row that scores its prompt: its logits are {@code [T, V]} (64 × 128k floats: 33 MB). */
    static final int SCORING_CHUNK = 64;
    /** Submitted requests whose result is not complete yet: a drain waits for their futures, not only for their slots. */
    private final java.util.concurrent.atomic.AtomicInteger unanswered = new java.util.concurrent.atomic.AtomicInteger();

    /** A request in the scheduler; {@code deadlineNanos} is a {@link System#nanoTime} value, meaningful when {@code timed}. */
    private record Entry(Sequence sequence, CompletableFuture<GenerationResult> future, boolean timed, long deadlineNanos) {
        boolean expired(long now) {
            return timed && now - deadlineNanos >= 0;
        }
    }

    public Scheduler(CausalLM model, Tokenizer tokenizer, SchedulerConfig config, StepObserver observer) {
        this.generator = new Generator(model, tokenizer, config.slots(), config.contextLength());
        this.config = config;
        this.observer = observer;
        this.thread = Thread.ofPlatform().name("vane-engine").daemon().start(this::loop);
    }

    @Override
    public RequestHandle submit(GenerationRequest request, TokenListener listener) {
        if (closed || draining) throw new IllegalStateException(closed ? "scheduler closed" : "scheduler draining");
        CompletableFuture<GenerationResult> future = new CompletableFuture<>();
        Sequence seq = generator.newSequence(request.prompt(), request.params(), new TokenListener() {
            @Override
            public void onToken(TokenEvent event) { listener.onToken(event); }

            @Override
            public void onFinish(FinishReason reason, String trailingText, Optional<String> error) {
                listener.onFinish(reason, trailingText, error);
            }
        }, request.hooks(), request.beacon(), request.grammar());
        long now = System.nanoTime();
        Entry e = new Entry(seq, future, request.deadline().isPresent(),
                request.deadline().map(d -> now + d.toNanos()).orElse(now));
        synchronized (this) {
            int freeSlots = config.slots() - runningCount;
            if (waiting.size() >= config.queueLimit() + Math.max(0, freeSlots)) {
                request.hooks().close();
                throw new QueueFullException(config.queueLimit(), backlog.retryAfterSeconds(waiting.size(), config.slots()));
            }
            waiting.addLast(e);
            unanswered.incrementAndGet();
            notifyAll();
        }
        return new RequestHandle() {
            @Override public CompletableFuture<GenerationResult> result() { return future; }

            @Override public void cancel() {
                seq.cancel();
                synchronized (Scheduler.this) { Scheduler.this.notifyAll(); }
            }
        };
    }

    private void loop() {
        while (!closed) {
            try {
                if (!admit()) continue;
                iterate();
            } catch (InterruptedException ie) {
                return;
            } catch (RuntimeException | Error err) {
                LOG.log(Level.SEVERE, "engine step failed; failing the running requests", err);
                List<Entry> failed = new ArrayList<>(running);
                running.clear();
                runningCount = 0;
                for (Entry e : failed) {
                    e.sequence().abort(FinishReason.ERROR);
                    retire(e);
                }
            }
        }
    }

    /**
     * Ends the waiting entries that were cancelled or ran out of time, then moves waiting entries
     * into free slots; blocks while there is nothing to do (waking for the nearest waiting deadline).
     */
    private boolean admit() throws InterruptedException {
        synchronized (this) {
            while (!closed) {
                long nextDeadline = sweepWaiting(System.nanoTime());
                if (!running.isEmpty() || (!waiting.isEmpty() && holds == 0)) break;
                if (nextDeadline < 0) wait();
                else wait(nextDeadline + 1);
            }
            if (closed) return false;
            while (holds == 0 && !waiting.isEmpty() && generator.hasFreeSlot()) {
                Entry e = waiting.pollFirst();
                generator.admit(e.sequence());
                running.add(e);
            }
            runningCount = running.size();
        }
        return !running.isEmpty();
    }

    /**
     * Ends cancelled and expired waiting entries; returns the milliseconds until the nearest
     * deadline of those left, or -1 when none has one.
     */
    private long sweepWaiting(long now) {
        long nearest = -1;
        for (var it = waiting.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            FinishReason end = e.sequence().cancelRequested() ? FinishReason.CANCELLED
                    : e.expired(now) ? FinishReason.TIMEOUT : null;
            if (end == null) {
                if (e.timed()) {
                    long ms = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(e.deadlineNanos() - now);
                    nearest = nearest < 0 ? ms : Math.min(nearest, ms);
                }
                continue;
            }
            it.remove();
            e.sequence().abort(end);
            retire(e);
        }
        return nearest;
    }

    /**
     * Holds admission until the returned hold is closed: submitted requests wait in the queue (those
     * cancelled or out of time still leave it), then join the running batch together. Makes
     * arrivals simultaneous, e.g. for measuring or testing batching.
     */
    public AdmissionHold holdAdmission() {
        synchronized (this) { holds++; }
        return new AdmissionHold();
    }

    /** An admission hold; closing it (once) lets the scheduler admit again. */
    public final class AdmissionHold implements AutoCloseable {
        private boolean released;

        private AdmissionHold() {}

        @Override
        public void close() {
            synchronized (Scheduler.this) {
                if (released) return;
                released = true;
                holds--;
                Scheduler.this.notifyAll();
            }
        }
    }

    private void iterate() {
        long now = System.nanoTime();
        for (Entry e : running) {
            if (e.sequence().cancelRequested()) e.sequence().abort(FinishReason.CANCELLED);
            else if (e.expired(now)) e.sequence().abort(FinishReason.TIMEOUT);
        }
        retireFinished();

        List<Sequence> decoding = new ArrayList<>();
        List<Sequence> prompts = new ArrayList<>();
        for (Entry e : running) (e.sequence().inPrompt() ? prompts : decoding).add(e.sequence());
        if (!decoding.isEmpty()) {
            long t = System.nanoTime();
            int fed = generator.step(decoding, config.prefillChunk());
            observer.onStep(decoding.size(), 0, fed, System.nanoTime() - t);
        }
        List<Sequence> prefilling = prefillBatch(prompts, config.prefillChunk());
        if (!prefilling.isEmpty()) {
            long t = System.nanoTime();
            // a row scoring its prompt (prompt_logprobs) steps alone, in chunks of at most
            // SCORING_CHUNK tokens: its step computes logits at every position ([T, V])
            int chunk = prefilling.getFirst().scoresPrompt() ? Math.min(config.prefillChunk(), SCORING_CHUNK) : config.prefillChunk();
            int fed = generator.step(prefilling, chunk);
            observer.onStep(prefilling.size(), prefilling.size(), fed, System.nanoTime() - t);
        }
        retireFinished();
    }

    /**
     * The sequences whose next prompt chunk runs this iteration: the oldest one, then the next
     * ones in arrival order (but for those scoring their prompt, which run alone when they are the
     * oldest: their step computes every position's logits) while the padded step (rows × longest chunk) stays within
     * {@code budget} tokens. Requests that arrive together are prefilled in one batched step
     * instead of one step each (eight 32-token prompts: one 256-token step, where eight steps of
     * 32 each read every weight again and held the other streams' decodes back for eight
     * iterations).
     */
    static List<Sequence> prefillBatch(List<Sequence> prompts, int budget) {
        List<Sequence> batch = new ArrayList<>();
        if (!prompts.isEmpty() && prompts.getFirst().scoresPrompt()) return List.of(prompts.getFirst());
        int longest = 0;
        for (Sequence s : prompts) {
            if (s.scoresPrompt()) continue; // it runs alone when its turn comes
            int chunk = Math.min(s.promptTokensLeft(), budget);
            int widest = Math.max(longest, chunk);
            if (!batch.isEmpty() && (long) (batch.size() + 1) * widest > budget) break;
            batch.add(s);
            longest = widest;
        }
        return batch;
    }

    /** Removes finished rows, updates the counts, then completes their futures (so callers see the new stats). */
    private void retireFinished() {
        List<Entry> done = new ArrayList<>();
        running.removeIf(e -> {
            if (!e.sequence().isFinished()) return false;
            generator.release(e.sequence());
            done.add(e);
            return true;
        });
        runningCount = running.size();
        for (Entry e : done) {
            GenerationResult r = e.sequence().result();
            backlog.finished(r.timings().totalNanos() - r.timings().queueNanos());
            e.future().complete(r);
            unanswered.decrementAndGet();
        }
    }

    private void retire(Entry e) {
        generator.release(e.sequence());
        e.future().complete(e.sequence().result());
        unanswered.decrementAndGet();
    }

    @Override
    public Tokenizer tokenizer() { return generator.tokenizer(); }

    @Override
    public int contextLength() { return generator.contextLength(); }

    @Override
    public java.util.Optional<dev.vane.engine.config.BeaconConfig> beacon() { return generator.model().beacon(); }

    @Override
    public long kvBytesPerEntry() { return generator.kvCacheBytes() / ((long) generator.slots() * generator.contextLength()); }

    @Override
    public int vocabSize() { return generator.model().config().vocabSize(); }

    @Override
    public SchedulerStats stats() {
        int waitingNow;
        synchronized (this) { waitingNow = waiting.size(); }
        return new SchedulerStats(runningCount, waitingNow, generator.kvCacheBytes(), generator.kvCacheBytesInUse());
    }

    @Override
    public void stopAdmitting() {
        draining = true;
    }

    @Override
    public boolean drain(java.time.Duration timeout) throws InterruptedException {
        stopAdmitting();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean idle;
            synchronized (this) { idle = waiting.isEmpty() && runningCount == 0; } // admission moves both under this lock
            idle &= unanswered.get() == 0; // and every result is complete (futures complete just after the counts move)
            if (idle) return true;
            if (closed || System.nanoTime() - deadline > 0) return false;
            Thread.sleep(10);
        }
    }

    /**
     * Stops the engine thread and ends every request, waiting or running, with
     * {@link FinishReason#CANCELLED}; later submissions are refused ({@link IllegalStateException}).
     * Closing again does nothing.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return; // closed once; a second close has nothing left to end
            closed = true;
            notifyAll();
        }
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            for (Entry e : waiting) {
                e.sequence().abort(FinishReason.CANCELLED);
                retire(e);
            }
            waiting.clear();
            if (!thread.isAlive()) { // the engine thread no longer touches the running batch
                for (Entry e : running) {
                    e.sequence().abort(FinishReason.CANCELLED);
                    retire(e);
                }
                running.clear();
                runningCount = 0;
            }
        }
        generator.close();
    }
}
