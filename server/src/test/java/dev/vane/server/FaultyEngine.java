package dev.vane.server;

import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.hooks.HookSite;
import dev.vane.engine.hooks.PromptReplay;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.engine.hooks.StepContext;
import dev.vane.engine.schedule.GenerationRequest;
import dev.vane.engine.schedule.GenerationService;
import dev.vane.engine.schedule.RequestHandle;
import dev.vane.engine.schedule.Scheduler;
import dev.vane.engine.schedule.SchedulerStats;
import dev.vane.engine.tokenizer.Tokenizer;

import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real scheduler with faults a test switches on, put between the routes and the engine
 * ({@link Main#start(ServerSettings, java.util.function.UnaryOperator)}): a row hook that throws
 * inside the engine step once a sequence reaches a position (the engine's own failure path runs),
 * a row hook that parks the engine thread at a position until the test lets it go, and a count
 * of submissions and of cancellations the routes asked for.
 */
final class FaultyEngine implements GenerationService {

    private final Scheduler scheduler;
    /** Position from which the LOGITS hook throws; -1: off. */
    final AtomicInteger failFrom = new AtomicInteger(-1);
    /** Position at which the engine thread waits for {@link #release}; -1: off. */
    private final AtomicInteger parkAt = new AtomicInteger(-1);
    private volatile CountDownLatch released = new CountDownLatch(0);
    private final Semaphore parked = new Semaphore(0);
    final AtomicInteger submitted = new AtomicInteger();
    final AtomicInteger cancels = new AtomicInteger();
    private volatile CountDownLatch cancelled = new CountDownLatch(0);

    FaultyEngine(GenerationService scheduler) {
        this.scheduler = (Scheduler) scheduler;
    }

    Scheduler scheduler() { return scheduler; }

    /** Waits until the engine thread is parked at {@link #parkAt}. */
    void awaitParked() throws InterruptedException {
        if (!parked.tryAcquire(60, TimeUnit.SECONDS)) throw new AssertionError("the engine never reached the park position");
    }

    /** Parks the engine thread in the step of any sequence that reaches {@code position}, until {@link #release}. */
    void parkAt(int position) {
        released = new CountDownLatch(1);
        parkAt.set(position);
    }

    /** Lets parked engine steps go on, and parks no more. */
    void release() {
        parkAt.set(-1);
        released.countDown();
    }

    /** Arms a latch that opens after {@code n} cancellations from the routes. */
    void expectCancels(int n) {
        cancelled = new CountDownLatch(n);
    }

    void awaitCancels() throws InterruptedException {
        if (!cancelled.await(60, TimeUnit.SECONDS))
            throw new AssertionError("the routes cancelled " + cancels.get() + " sequences, fewer than expected");
    }

    @Override
    public RequestHandle submit(GenerationRequest request, TokenListener listener) {
        RequestHandle h = scheduler.submit(request.withHooks(new Faults(request.hooks())), listener);
        submitted.incrementAndGet();
        return new RequestHandle() {
            @Override public CompletableFuture<GenerationResult> result() { return h.result(); }

            @Override public void cancel() {
                cancels.incrementAndGet();
                cancelled.countDown();
                h.cancel();
            }
        };
    }

    @Override public Tokenizer tokenizer() { return scheduler.tokenizer(); }
    @Override public int contextLength() { return scheduler.contextLength(); }
    @Override public int vocabSize() { return scheduler.vocabSize(); }
    @Override public SchedulerStats stats() { return scheduler.stats(); }
    @Override public void stopAdmitting() { scheduler.stopAdmitting(); }
    @Override public boolean drain(java.time.Duration timeout) throws InterruptedException { return scheduler.drain(timeout); }
    @Override public void close() { scheduler.close(); }

    /** The request's own hooks, plus the faults at the LOGITS site. */
    private final class Faults implements RowHooks {
        private final RowHooks inner;

        Faults(RowHooks inner) {
            this.inner = inner;
        }

        private boolean faultAt(StepContext.Row row) {
            int end = row.start() + row.length();
            int fail = failFrom.get(), park = parkAt.get();
            return (fail >= 0 && end > fail) || (park >= 0 && row.start() <= park && park < end);
        }

        @Override
        public boolean actsAt(HookSite site, StepContext.Row row) {
            return (site.equals(HookSite.LOGITS) && faultAt(row)) || inner.actsAt(site, row);
        }

        @Override
        public void apply(HookSite site, float[] x, int offset, int tokens, int width, StepContext.Row row) {
            if (site.equals(HookSite.LOGITS) && faultAt(row)) {
                int fail = failFrom.get();
                if (fail >= 0 && row.start() + row.length() > fail)
                    throw new IllegalStateException("injected engine fault at position " + row.start());
                CountDownLatch gate = released;
                parked.release();
                try {
                    if (!gate.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (inner.actsAt(site, row)) inner.apply(site, x, offset, tokens, width, row);
        }

        @Override public BitSet skips(int layer, StepContext.Row row) { return inner.skips(layer, row); }
        @Override public PromptReplay promptReplay() { return inner.promptReplay(); }
        @Override public void close() { inner.close(); }
    }
}
