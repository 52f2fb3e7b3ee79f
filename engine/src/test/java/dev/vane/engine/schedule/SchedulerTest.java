package dev.vane.engine.schedule;

import dev.vane.engine.fixture.Preset;
import dev.vane.engine.generate.FinishReason;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchedulerTest {

    private static CausalLM model;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void setUp() throws Exception {
        Path dir = dev.vane.engine.model.Fixtures.withLlama3Tokenizer(Preset.TINY_LLAMA3_VOCAB, FileDType.F32, 4);
        model = ModelLoader.loadTensor(dir, ComputeDType.F32, 256);
        tokenizer = Tokenizer.load(dir);
    }

    @AfterAll
    static void tearDown() {
        tokenizer.close();
        model.close();
    }

    private static int[] prompt(int i) {
        return tokenizer.encode("Request number " + i + " says" + " hello".repeat(i), true);
    }

    private static SamplingParams greedy(int max) {
        return SamplingParams.builder().temperature(0).maxTokens(max).ignoreEos(true).build();
    }

    /** Requests 0 .. n-1 run one after another on a one-slot scheduler: the reference for batched runs. */
    private static int[][] sequentialRuns(int n, java.util.function.IntFunction<SamplingParams> params) throws Exception {
        int[][] tokens = new int[n][];
        try (Scheduler s = new Scheduler(model, tokenizer, new SchedulerConfig(1, 256, 16, 256), StepObserver.NONE)) {
            for (int i = 0; i < n; i++)
                tokens[i] = s.submit(GenerationRequest.of(prompt(i), params.apply(i)), TokenListener.NONE)
                        .result().get(60, TimeUnit.SECONDS).tokens();
        }
        return tokens;
    }

    @Test
    void promptsThatArriveTogetherArePrefilledInBatchedStepsAndMatchSequentialRuns() throws Exception {
        int n = 6;
        int[][] sequential = sequentialRuns(n, i -> greedy(5));
        List<int[]> steps = new ArrayList<>(); // {rows, promptRows, tokens}
        try (Scheduler s = new Scheduler(model, tokenizer, new SchedulerConfig(8, 256, 16, 256),
                (rows, promptRows, tokens, nanos) -> { synchronized (steps) { steps.add(new int[] {rows, promptRows, tokens}); } })) {
            List<RequestHandle> handles = new ArrayList<>();
            try (Scheduler.AdmissionHold hold = s.holdAdmission()) { // admitted together, after the last submit
                for (int i = 0; i < n; i++) handles.add(s.submit(GenerationRequest.of(prompt(i), greedy(5)), TokenListener.NONE));
            }
            for (int i = 0; i < n; i++)
                assertArrayEquals(sequential[i], handles.get(i).result().get(60, TimeUnit.SECONDS).tokens(), "request " + i);
        }
        int promptTokens = 0;
        for (int i = 0; i < n; i++) promptTokens += prompt(i).length;
        synchronized (steps) {
            // the six prompts (7 - 12 tokens, 72 padded) fit one 256-token step
            assertThat(steps.get(0)).containsExactly(n, n, promptTokens);
            assertThat(steps.stream().filter(st -> st[1] > 0)).hasSize(1);
        }
    }

    @Test
    void aPrefillBatchStaysWithinTheTokenBudgetPaddedToItsLongestChunk() {
        dev.vane.engine.generate.Generator g = new dev.vane.engine.generate.Generator(model, tokenizer, 4, 256);
        try {
            List<dev.vane.engine.generate.Sequence> prompts = new ArrayList<>();
            for (int len : new int[] {10, 4, 30, 5})
                prompts.add(g.newSequence(java.util.Arrays.copyOf(prompt(1), len), greedy(2), TokenListener.NONE));
            // budget 40: 10 and 4 fit (2 x 10 = 20); adding 30 would pad 3 rows to 30 (90 > 40)
            assertThat(Scheduler.prefillBatch(prompts, 40)).containsExactly(prompts.get(0), prompts.get(1));
            // budget 120: 4 rows padded to 30 = 120
            assertThat(Scheduler.prefillBatch(prompts, 120)).containsExactlyElementsOf(prompts);
            // the oldest always runs, cut to the budget
            assertThat(Scheduler.prefillBatch(prompts.subList(2, 4), 8)).containsExactly(prompts.get(2));
        } finally {
            g.close();
        }
    }

    @Test
    void concurrentRequestsMatchSequentialRunsRowForRow() throws Exception {
        int n = 8;
        int[][] sequential = sequentialRuns(n, i -> greedy(6 + i));
        List<Integer> batchSizes = new ArrayList<>();
        // small prefill chunks force prompts to be split and interleaved with running decodes
        try (Scheduler s = new Scheduler(model, tokenizer, new SchedulerConfig(8, 256, 16, 3),
                (rows, promptRows, tokens, nanos) -> { synchronized (batchSizes) { batchSizes.add(rows); } })) {
            List<RequestHandle> handles = new ArrayList<>();
            try (Scheduler.AdmissionHold hold = s.holdAdmission()) { // all eight are admitted together
                for (int i = 0; i < n; i++) handles.add(s.submit(GenerationRequest.of(prompt(i), greedy(6 + i)), TokenListener.NONE));
            }
            for (int i = 0; i < n; i++)
                assertArrayEquals(sequential[i], handles.get(i).result().get(60, TimeUnit.SECONDS).tokens(), "request " + i);
        }
        assertThat(batchSizes).as("decode steps ran several rows together").anyMatch(b -> b > 1);
    }

    @Test
    void drainingRefusesNewRequestsAndWaitsForThoseInFlight() throws Exception {
        try (Scheduler s = new Scheduler(model, tokenizer, new SchedulerConfig(1, 256, 4, 256), StepObserver.NONE)) {
            CountDownLatch started = new CountDownLatch(1);
            RequestHandle running = s.submit(GenerationRequest.of(prompt(1), greedy(40)), e -> started.countDown());
            RequestHandle waiting = s.submit(GenerationRequest.of(prompt(2), greedy(5)), TokenListener.NONE); // one slot: it waits
            assertTrue(started.await(60, TimeUnit.SECONDS));
            assertTrue(s.drain(java.time.Duration.ofSeconds(60)), "both finish within the drain");
            assertTrue(running.result().isDone() && waiting.result().isDone());
            assertEquals(40, running.result().get().tokens().length); // ran to its end, not cut
            assertEquals(5, waiting.result().get().tokens().length);
            assertThatThrownBy(() -> s.submit(GenerationRequest.of(prompt(3), greedy(2)), TokenListener.NONE))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("draining");
        }
        try (Scheduler s = new Scheduler(model, tokenizer, new SchedulerConfig(1, 256, 4, 256), StepObserver.NONE)) {
            CountDownLatch started = new CountDownLatch(1);
            s.submit(GenerationRequest.of(prompt(1), greedy(240)), e -> started.countDown());
            assertTrue(started.await(60, TimeUnit.SECONDS));
            assertFalse(s.drain(java.time.Duration.ZERO), "a sequence still runs when the time is up");
        } // close ends it
    }

    @Test
    void cancellingARunningRequestFreesItsSlot() throws Exception {
        try (Scheduler s = new Scheduler(model, tokenizer, new SchedulerConfig(1, 256, 4, 256), StepObserver.NONE)) {
            CountDownLatch started = new CountDownLatch(1);
            RequestHandle long_ = s.submit(GenerationRequest.of(prompt(1), greedy(200)), e -> started.countDown());
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            RequestHandle next = s.submit(GenerationRequest.of(prompt(2), greedy(3)), TokenListener.NONE);
            long_.cancel();
            GenerationResult cancelled = long_.result().get(30, TimeUnit.SECONDS);
            assertEquals(FinishReason.CANCELLED, cancelled.finishReason());
            assertThat(cancelled.tokens().length).isLessThan(200);
            assertEquals(FinishReason.LENGTH, next.result().get(30, TimeUnit.SECONDS).finishReason());
            assertEquals(0, s.stats().running());
        }
    }

    @Test
    void fullQueueIsRefusedAndDeadlinesEndRequests() throws Exception {
        try (Scheduler s = new Scheduler(model, tokenizer, new SchedulerConfig(1, 256, 1, 256), StepObserver.NONE)) {
            CountDownLatch started = new CountDownLatch(1);
            RequestHandle first = s.submit(GenerationRequest.of(prompt(1), greedy(200)), e -> started.countDown());
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            RequestHandle queued = s.submit(GenerationRequest.of(prompt(2), greedy(2)), TokenListener.NONE);
            assertThrows(QueueFullException.class,
                    () -> s.submit(GenerationRequest.of(prompt(3), greedy(2)), TokenListener.NONE));
            first.cancel();
            queued.result().get(30, TimeUnit.SECONDS);

            GenerationResult late = s.submit(new GenerationRequest(prompt(1), greedy(200), Optional.of(Duration.ofNanos(1))),
                    TokenListener.NONE).result().get(30, TimeUnit.SECONDS);
            assertEquals(FinishReason.TIMEOUT, late.finishReason());
        }
    }

    @Test
    void aRunningRequestPastItsDeadlineEndsWithTimeoutAndKeepsItsTokens() throws Exception {
        try (Scheduler s = new Scheduler(model, tokenizer, new SchedulerConfig(1, 256, 1, 256), StepObserver.NONE)) {
            Duration budget = Duration.ofSeconds(3);
            long submitted = System.nanoTime();
            // the first token's listener returns only once the budget is spent, so the request
            // expires right after its first token whatever the machine's speed
            RequestHandle h = s.submit(new GenerationRequest(prompt(1), greedy(250), Optional.of(budget)), e -> {
                long left = submitted + budget.toNanos() - System.nanoTime();
                while (left > -50_000_000L) {
                    java.util.concurrent.locks.LockSupport.parkNanos(left + 50_000_000L);
                    left = submitted + budget.toNanos() - System.nanoTime();
                }
            });
            GenerationResult r = h.result().get(60, TimeUnit.SECONDS);
            assertEquals(FinishReason.TIMEOUT, r.finishReason());
            assertEquals(1, r.tokens().length);
            assertEquals(0, s.stats().running());
        }
    }

    @Test
    void aCancelledQueuedRequestLeavesTheQueueAtOnceWithoutASlot() throws Exception {
        try (Scheduler s = new Scheduler(model, tokenizer, new SchedulerConfig(1, 256, 1, 256), StepObserver.NONE)) {
            RequestHandle other;
            try (Scheduler.AdmissionHold hold = s.holdAdmission()) {
                // under the hold the queue holds 2 (the free slot's place + queue limit 1)
                RequestHandle queued = s.submit(GenerationRequest.of(prompt(2), greedy(50)), TokenListener.NONE);
                other = s.submit(GenerationRequest.of(prompt(3), greedy(2)), TokenListener.NONE);
                assertThrows(QueueFullException.class, () -> s.submit(GenerationRequest.of(prompt(4), greedy(2)), TokenListener.NONE));
                queued.cancel();
                GenerationResult r = queued.result().get(30, TimeUnit.SECONDS); // while admission is still held
                assertEquals(FinishReason.CANCELLED, r.finishReason());
                assertEquals(0, r.tokens().length);
                assertEquals(1, s.stats().waiting());
                other = s.submit(GenerationRequest.of(prompt(5), greedy(2)), TokenListener.NONE); // its place is free again
            }
            assertEquals(FinishReason.LENGTH, other.result().get(30, TimeUnit.SECONDS).finishReason());
        }
    }

    @Test
    void aQueuedRequestPastItsDeadlineEndsWithTimeoutWhileWaiting() throws Exception {
        try (Scheduler s = new Scheduler(model, tokenizer, new SchedulerConfig(1, 256, 2, 256), StepObserver.NONE);
             Scheduler.AdmissionHold hold = s.holdAdmission()) {
            RequestHandle patient = s.submit(GenerationRequest.of(prompt(1), greedy(2)), TokenListener.NONE);
            GenerationResult r = s.submit(new GenerationRequest(prompt(2), greedy(5), Optional.of(Duration.ofMillis(50))),
                    TokenListener.NONE).result().get(30, TimeUnit.SECONDS);
            assertEquals(FinishReason.TIMEOUT, r.finishReason());
            assertEquals(0, r.tokens().length);
            assertThat(patient.result()).isNotDone();
            assertEquals(1, s.stats().waiting());
        }
    }

    @Test
    void closingEndsRunningAndWaitingRequestsAndRefusesNewOnes() throws Exception {
        Scheduler s = new Scheduler(model, tokenizer, new SchedulerConfig(1, 256, 4, 256), StepObserver.NONE);
        CountDownLatch started = new CountDownLatch(1);
        RequestHandle running = s.submit(GenerationRequest.of(prompt(1), greedy(250)), e -> started.countDown());
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        RequestHandle waiting = s.submit(GenerationRequest.of(prompt(2), greedy(5)), TokenListener.NONE);
        s.close();
        assertThat(running.result().get(30, TimeUnit.SECONDS).finishReason()).isIn(FinishReason.CANCELLED, FinishReason.LENGTH);
        assertEquals(FinishReason.CANCELLED, waiting.result().get(30, TimeUnit.SECONDS).finishReason());
        assertThrows(IllegalStateException.class, () -> s.submit(GenerationRequest.of(prompt(3), greedy(2)), TokenListener.NONE));
    }
}
