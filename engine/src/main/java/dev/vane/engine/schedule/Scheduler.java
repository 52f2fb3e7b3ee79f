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
 *   <li>admits waiting requests while KV slots are free;</li>
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
    private volatile int runningCount;

    private record Entry(Sequence sequence, CompletableFuture<GenerationResult> future, long deadlineNanos) {}

    public Scheduler(CausalLM model, Tokenizer tokenizer, SchedulerConfig config, StepObserver observer) {
        this.generator = new Generator(model, tokenizer, config.slots(), config.contextLength());
        this.config = config;
        this.observer = observer;
        this.thread = Thread.ofPlatform().name("vane-engine").daemon().start(this::loop);
    }

    @Override
    public RequestHandle submit(GenerationRequest request, TokenListener listener) {
        if (closed) throw new IllegalStateException("scheduler closed");
        CompletableFuture<GenerationResult> future = new CompletableFuture<>();
        Sequence seq = generator.newSequence(request.prompt(), request.params(), new TokenListener() {
            @Override
            public void onToken(TokenEvent event) { listener.onToken(event); }

            @Override
            public void onFinish(FinishReason reason, String trailingText, Optional<String> error) {
                listener.onFinish(reason, trailingText, error);
            }
        }, request.hooks());
        long deadline = request.deadline().map(d -> System.nanoTime() + d.toNanos()).orElse(Long.MAX_VALUE);
        Entry e = new Entry(seq, future, deadline);
        synchronized (this) {
            int freeSlots = config.slots() - runningCount;
            if (waiting.size() >= config.queueLimit() + Math.max(0, freeSlots)) {
                request.hooks().close();
                throw new QueueFullException(config.queueLimit(), backlog.retryAfterSeconds(waiting.size(), config.slots()));
            }
            waiting.addLast(e);
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

    /** Moves waiting entries into free slots; blocks while there is nothing to do. */
    private boolean admit() throws InterruptedException {
        synchronized (this) {
            while (running.isEmpty() && waiting.isEmpty() && !closed) wait();
            if (closed) return false;
            while (!waiting.isEmpty() && generator.hasFreeSlot()) {
                Entry e = waiting.pollFirst();
                if (e.sequence().cancelRequested()) {
                    e.sequence().abort(FinishReason.CANCELLED);
                    e.future().complete(e.sequence().result());
                    continue;
                }
                generator.admit(e.sequence());
                running.add(e);
            }
            runningCount = running.size();
        }
        return !running.isEmpty();
    }

    private void iterate() {
        long now = System.nanoTime();
        for (Entry e : running)
            if (e.sequence().cancelRequested() || now > e.deadlineNanos()) e.sequence().abort(FinishReason.CANCELLED);
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
            int fed = generator.step(prefilling, config.prefillChunk());
            observer.onStep(prefilling.size(), prefilling.size(), fed, System.nanoTime() - t);
        }
        retireFinished();
    }

    /**
     * The sequences whose next prompt chunk runs this iteration: the oldest one, then the next
     * ones in arrival order while the padded step (rows × longest chunk) stays within
     * {@code budget} tokens. Requests that arrive together are prefilled in one batched step
     * instead of one step each (eight 32-token prompts: one 256-token step, where eight steps of
     * 32 each read every weight again and held the other streams' decodes back for eight
     * iterations).
     */
    static List<Sequence> prefillBatch(List<Sequence> prompts, int budget) {
        List<Sequence> batch = new ArrayList<>();
        int longest = 0;
        for (Sequence s : prompts) {
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
        }
    }

    private void retire(Entry e) {
        generator.release(e.sequence());
        e.future().complete(e.sequence().result());
    }

    @Override
    public Tokenizer tokenizer() { return generator.tokenizer(); }

    @Override
    public int contextLength() { return generator.contextLength(); }

    @Override
    public int vocabSize() { return generator.model().config().vocabSize(); }

    @Override
    public SchedulerStats stats() {
        int waitingNow;
        synchronized (this) { waitingNow = waiting.size(); }
        return new SchedulerStats(runningCount, waitingNow, generator.kvCacheBytes(), generator.kvCacheBytesInUse());
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) { notifyAll(); }
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            for (Entry e : waiting) {
                e.sequence().abort(FinishReason.CANCELLED);
                e.future().complete(e.sequence().result());
            }
            waiting.clear();
        }
        generator.close();
    }
}
