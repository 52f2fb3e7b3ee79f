package dev.vane.server;

import dev.vane.attention.AttentionOptions;
import dev.vane.engine.hooks.RowHooks;
import dev.vane.steering.control.SteeringControl;
import dev.vane.steering.plan.PlanException;
import dev.vane.steering.plan.SteeringRow;
import java.util.Optional;

import dev.vane.engine.generate.FinishReason;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.InvalidSamplingParamsException;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.TokenEvent;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.schedule.GenerationRequest;
import dev.vane.engine.schedule.QueueFullException;
import dev.vane.engine.schedule.RequestHandle;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The sequences of one request (prompts × n choices), submitted together to the scheduler.
 * Results are awaited ({@link #await}) or, for streams, their tokens are taken from a queue that
 * the engine thread fills ({@link #poll}), so the engine thread never waits on a client.
 * Submission is all or nothing: when one sequence is refused the others are cancelled.
 */
final class ChoiceBatch {

    /** One sequence to run: its choice index in the response, its prompt, parameters and structured-output constraint. */
    record Spec(int index, int promptIndex, int[] prompt, SamplingParams params, Optional<dev.vane.engine.constrain.Grammar> grammar) {
        Spec(int index, int promptIndex, int[] prompt, SamplingParams params) {
            this(index, promptIndex, prompt, params, Optional.empty());
        }
    }

    /** What the engine reported for a choice. */
    sealed interface Event {
        int index();
    }

    record Token(int index, TokenEvent token) implements Event {}

    /** A choice's end; {@code error} says what failed when {@code reason} is {@link FinishReason#ERROR}. */
    record Finish(int index, FinishReason reason, String trailingText, Optional<String> error) implements Event {

        /** The error this end answers, if it is not a normal one ({@link #failure}). */
        Optional<ApiError> failure() {
            return ChoiceBatch.failure(reason, error);
        }
    }

    /** The 500 of a choice that failed in the engine, with what failed when the engine said. */
    static ApiError engineError(Optional<String> message) {
        return new ApiError(500, "server_error", null, message.orElse("generation failed in the engine"));
    }

    private final List<Spec> specs;
    private final SteeringControl.Planned planned;
    private final VaneOptions vane;
    private final List<Optional<SteeringRow>> rows = new ArrayList<>();
    private final List<RequestHandle> handles = new ArrayList<>();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final long started = System.nanoTime();
    /** The attention options the request set, and the kernel they run (empty: the served ones). */
    private Optional<AppliedAttention> attention = Optional.empty();

    /** Attention options a request applied, with the label of the kernel they ran. */
    record AppliedAttention(AttentionOptions options, String kernel) {}

    Optional<AppliedAttention> attention() { return attention; }

    /** The Activation Beacon ratio a choice ran at, with the model's settings ({@code vane.beacon}). */
    record AppliedBeacon(int ratio, dev.vane.engine.config.BeaconConfig settings) {
        /** The choice's KV entries by segment once it finished as {@code r} says. */
        dev.vane.engine.config.BeaconConfig.Segments at(GenerationResult r) {
            return settings.segments(r.tokensFed(), ratio);
        }
    }

    /** By choice index: the beacon compression its sequence ran with (none: not compressed). */
    private final java.util.Map<Integer, AppliedBeacon> beacon = new java.util.TreeMap<>();

    java.util.Map<Integer, AppliedBeacon> beacon() { return beacon; }
    private int finished;

    private ChoiceBatch(List<Spec> specs, SteeringControl.Planned planned, VaneOptions vane) {
        this.specs = List.copyOf(specs);
        this.planned = planned;
        this.vane = vane;
    }

    /**
     * Checks every spec against the context, then submits them in order.
     *
     * Plans the request's interventions ({@code vane.profile}, {@code vane.interventions}) once and
     * binds the plan to each sequence.
     *
     * @throws ApiError 413 for a prompt with no room left, 400 for a {@code max_tokens} beyond the
     *                  context or a bad intervention, 429 when the queue is full
     */
    static ChoiceBatch submit(ServerContext ctx, List<Spec> specs, VaneOptions vane) {
        return submit(ctx, specs, vane, i -> RowHooks.NONE);
    }

    /**
     * {@link #submit(ServerContext, List, VaneOptions)} with a read-only observer per spec (by its
     * place in {@code specs}) after the request's interventions ({@link RowHooks#observedBy}).
     */
    static ChoiceBatch submit(ServerContext ctx, List<Spec> specs, VaneOptions vane, java.util.function.IntFunction<RowHooks> observers) {
        if (specs.size() > ctx.maxSequences())
            throw ApiError.invalid("n", "the request asks for " + specs.size() + " sequences (prompts × n); this server"
                    + " admits at most " + ctx.maxSequences() + " at once");
        int context = ctx.engine().contextLength();
        List<java.util.OptionalInt> beacon = new ArrayList<>(); // per spec: the ratio its context is compressed at
        for (Spec s : specs) {
            java.util.OptionalInt r = vane.beacon().resolve(ctx.engine().beacon(), (long) s.prompt().length + s.params().maxTokens(), context);
            if (r.isEmpty()) checkContext(s, context); // a compressed sequence's layout is checked by the engine
            beacon.add(r);
        }
        Optional<AttentionOptions> attention = ctx.attention().forRequest(vane.attention());
        SteeringControl.Planned planned;
        try {
            planned = ctx.steering().plan(vane.profile(), vane.interventions(), vane.layerSkip());
        } catch (PlanException e) {
            throw e.notFound() ? ApiError.notFound(e.field(), e.getMessage()) : ApiError.invalid(e.field(), e.getMessage());
        }
        ChoiceBatch batch = new ChoiceBatch(specs, planned, vane);
        batch.attention = attention.map(o -> new AppliedAttention(o, ctx.attention().label(o)));
        for (int i = 0; i < specs.size(); i++) {
            int c = i;
            beacon.get(i).ifPresent(r -> batch.beacon.put(specs.get(c).index(), new AppliedBeacon(r, ctx.engine().beacon().orElseThrow())));
        }
        try {
            for (int i = 0; i < specs.size(); i++) {
                Spec s = specs.get(i);
                Optional<SteeringRow> row = planned.plan().isEmpty() ? Optional.empty()
                        : Optional.of(planned.plan().bind());
                batch.rows.add(row);
                RowHooks hooks = row.<RowHooks>map(r -> r).orElse(RowHooks.NONE);
                RowHooks observer = observers.apply(i);
                if (observer != RowHooks.NONE) hooks = RowHooks.observedBy(hooks, observer);
                if (attention.isPresent()) hooks = RowHooks.withAttention(hooks, attention.get());
                GenerationRequest request = new GenerationRequest(s.prompt(), s.params(), ctx.deadline(vane), hooks, beacon.get(i), s.grammar());
                RequestHandle h = ctx.engine().submit(request, batch.listener(s, ctx.metrics()));
                batch.handles.add(h);
                row.ifPresent(r -> h.result().thenAccept(res -> ctx.metrics().steering(r.trace())));
            }
        } catch (QueueFullException e) {
            batch.closeUnsubmitted();
            batch.cancel();
            throw ApiError.queueFull(e.getMessage(), e.retryAfterSeconds());
        } catch (InvalidSamplingParamsException e) {
            batch.closeUnsubmitted();
            batch.cancel();
            throw asApiError(e);
        } catch (IllegalStateException e) {
            batch.closeUnsubmitted();
            batch.cancel();
            throw new ApiError(503, "server_error", null, "the server is shutting down");
        }
        for (int i = 0; i < batch.handles.size(); i++) {
            Optional<AppliedBeacon> compressed = Optional.ofNullable(batch.beacon.get(specs.get(i).index()));
            batch.handles.get(i).result().thenAccept(r -> {
                ctx.metrics().queued(r.timings().queueNanos());
                long entries = compressed.map(a -> a.at(r).entries()).orElse(r.tokensFed());
                ctx.metrics().sequenceKv(r.tokensFed(), entries, ctx.engine().kvBytesPerEntry(), compressed.isPresent());
                ctx.metrics().finished(r);
            });
        }
        return batch;
    }

    private static void checkContext(Spec s, int contextLength) {
        try {
            s.params().checkContext(s.prompt().length, contextLength);
        } catch (InvalidSamplingParamsException e) {
            throw asApiError(e);
        }
    }

    private static ApiError asApiError(InvalidSamplingParamsException e) {
        return e.field().equals("prompt") ? ApiError.contextExceeded(e.getMessage()) : ApiError.invalid(e.field(), e.getMessage());
    }

    private TokenListener listener(Spec spec, ServerMetrics metrics) {
        long submitted = System.nanoTime();
        return new TokenListener() {
            private long last;

            @Override
            public void onToken(TokenEvent event) {
                long now = System.nanoTime();
                if (last == 0) metrics.firstToken(now - submitted, spec.prompt().length);
                else metrics.interToken(now - last);
                last = now;
                metrics.generatedToken();
                events.add(new Token(spec.index(), event));
            }

            @Override
            public void onFinish(FinishReason reason, String trailingText, Optional<String> error) {
                events.add(new Finish(spec.index(), reason, trailingText, error));
            }
        };
    }

    /** Releases the bound plan of a sequence that the engine refused (it never took ownership). */
    private void closeUnsubmitted() {
        for (int i = handles.size(); i < rows.size(); i++) rows.get(i).ifPresent(SteeringRow::close);
    }

    List<Spec> specs() { return specs; }

    /** The request's {@code vane} object. */
    VaneOptions vane() { return vane; }

    /** The plan the request was admitted with. */
    SteeringControl.Planned planned() { return planned; }

    /** Each choice's bound plan (empty where nothing was planned), in spec order; read after completion. */
    List<Optional<SteeringRow>> rows() { return rows; }

    /** Nanoseconds since submission. */
    long elapsedNanos() { return System.nanoTime() - started; }

    /** Waits for every sequence; on interruption cancels them. Results in spec order. */
    List<GenerationResult> await() {
        List<GenerationResult> out = new ArrayList<>(handles.size());
        try {
            for (RequestHandle h : handles) out.add(h.result().get());
        } catch (InterruptedException e) {
            cancel();
            Thread.currentThread().interrupt();
            throw new ApiError(503, "server_error", null, "interrupted");
        } catch (ExecutionException | CancellationException e) {
            cancel();
            throw new ApiError(500, "server_error", null, "generation failed in the engine");
        }
        return out;
    }

    /**
     * Waits for every sequence while {@code watch} watches the client's connection ({@code local},
     * {@code remote}): a client that leaves has its sequences cancelled, each freeing its slot
     * within a step, and gets empty. Results in spec order.
     */
    Optional<List<GenerationResult>> awaitWhileConnected(ConnectionWatch watch, SocketAddress local, SocketAddress remote) {
        try (ConnectionWatch.Watch w = watch.watch(local, remote, this::cancel)) {
            List<GenerationResult> results = await();
            return w.gone() ? Optional.empty() : Optional.of(results);
        }
    }

    /** The next engine event, or null after {@code timeoutMillis}; counts finished choices. */
    Event poll(long timeoutMillis) throws InterruptedException {
        Event e = events.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (e instanceof Finish) finished++;
        return e;
    }

    /** Whether every choice has reported its finish through {@link #poll}. */
    boolean allFinished() { return finished == specs.size(); }

    /** The results once {@link #allFinished()} (the futures complete right after the finish events). */
    List<GenerationResult> results() { return await(); }

    /**
     * The error for a choice that did not end normally: an engine failure (500), or a sequence the
     * scheduler ended because it is closing (503); empty for stop, length and timeout.
     */
    static Optional<ApiError> failure(FinishReason reason, Optional<String> error) {
        return switch (reason) {
            case ERROR -> Optional.of(engineError(error));
            case CANCELLED -> Optional.of(new ApiError(503, "server_error", null, "the server is shutting down"));
            case STOP, LENGTH, TIMEOUT -> Optional.empty();
        };
    }

    /** Throws the {@link #failure} of the first choice that did not end normally. */
    static void checkFinished(List<GenerationResult> results) {
        for (GenerationResult r : results) failure(r.finishReason(), r.error()).ifPresent(e -> { throw e; });
    }

    /** Cancels every sequence; each frees its KV slot within a step. */
    void cancel() {
        handles.forEach(RequestHandle::cancel);
    }
}
