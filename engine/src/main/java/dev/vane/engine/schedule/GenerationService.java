package dev.vane.engine.schedule;

import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.tokenizer.Tokenizer;

/**
 * What the server talks to: submit sequences, stream their tokens, cancel them. Implemented by
 * {@link Scheduler} (continuous batching on one engine thread).
 */
public interface GenerationService extends AutoCloseable {

    /**
     * Queues a request. The listener is called on the engine thread, in order, for every token
     * and once at the end; it must not block.
     *
     * @throws QueueFullException when the waiting queue is full
     * @throws dev.vane.engine.generate.InvalidSamplingParamsException when the prompt and
     *         {@code max_tokens} do not fit the context (field {@code prompt} or {@code max_tokens})
     */
    RequestHandle submit(GenerationRequest request, TokenListener listener);

    Tokenizer tokenizer();

    /** Maximum prompt + generated tokens of one sequence. */
    int contextLength();

    /** The model's Activation Beacon settings, when it runs beacon-compressed sequences ({@link GenerationRequest#beacon}). */
    default java.util.Optional<dev.vane.engine.config.BeaconConfig> beacon() { return java.util.Optional.empty(); }

    /** Bytes one position takes in the KV cache (keys and values of every layer). */
    default long kvBytesPerEntry() { return 0; }

    /** The model's vocabulary size (valid token ids are {@code 0 .. vocabSize-1}). */
    int vocabSize();

    SchedulerStats stats();

    /**
     * Stops taking requests: {@link #submit} throws {@link IllegalStateException} from the moment
     * this returns. The sequences already submitted go on.
     */
    void stopAdmitting();

    /**
     * Stops taking requests ({@link #stopAdmitting}) and waits
     * until every sequence already submitted, waiting or running, has finished, or {@code timeout}
     * has passed; does not close. Returns whether every sequence finished and its result is complete.
     */
    boolean drain(java.time.Duration timeout) throws InterruptedException;

    @Override
    void close();
}
