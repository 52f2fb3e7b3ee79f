package dev.vane.engine.schedule;

import dev.vane.engine.fixture.Preset;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@code Retry-After} of a full queue follows the backlog: the line ahead and how long sequences hold a slot. */
class BacklogTest {

    @Test
    void theEstimateIsTheLineAheadTimesTheResidencyPerSlot() {
        Backlog b = new Backlog();
        assertThat(b.retryAfterSeconds(10, 1)).as("nothing finished yet").isEqualTo(Backlog.MIN_SECONDS);
        b.finished(3_000_000_000L);
        assertThat(b.retryAfterSeconds(0, 1)).isEqualTo(3);
        assertThat(b.retryAfterSeconds(2, 1)).isEqualTo(9);
        assertThat(b.retryAfterSeconds(7, 4)).isEqualTo(6);
        assertThat(b.retryAfterSeconds(1_000_000, 1)).isEqualTo(Backlog.MAX_SECONDS);
        b.finished(1_000_000_000L); // the average moves a fifth of the way: 2.6 s
        assertThat(b.retryAfterSeconds(0, 1)).isEqualTo(3);
        assertThat(b.retryAfterSeconds(4, 1)).isEqualTo(13);
        Backlog quick = new Backlog();
        quick.finished(1_000_000L);
        assertThat(quick.retryAfterSeconds(3, 8)).isEqualTo(Backlog.MIN_SECONDS);
    }

    /** Steps made slow on purpose (the observer sleeps on the engine thread): the refusal names the real wait. */
    @Test
    void aFullQueueRefusalCarriesTheEstimatedWait() throws Exception {
        Path dir = dev.vane.engine.model.Fixtures.withLlama3Tokenizer(Preset.TINY_LLAMA3_VOCAB, FileDType.F32, 4);
        try (CausalLM model = ModelLoader.loadTensor(dir, ComputeDType.F32, 256);
             Tokenizer tokenizer = Tokenizer.load(dir);
             Scheduler s = new Scheduler(model, tokenizer, new SchedulerConfig(1, 256, 1, 256), (rows, p, tokens, nanos) -> {
                 try {
                     Thread.sleep(50);
                 } catch (InterruptedException e) {
                     Thread.currentThread().interrupt();
                 }
             })) {
            int[] prompt = tokenizer.encode("Once upon a time", true);
            SamplingParams twenty = SamplingParams.builder().temperature(0).maxTokens(20).ignoreEos(true).build();
            s.submit(GenerationRequest.of(prompt, twenty), TokenListener.NONE).result().get(60, TimeUnit.SECONDS); // ~1 s
            RequestHandle running = s.submit(GenerationRequest.of(prompt, twenty), TokenListener.NONE);
            RequestHandle waiting = s.submit(GenerationRequest.of(prompt, twenty), TokenListener.NONE);
            QueueFullException full = assertThrows(QueueFullException.class,
                    () -> s.submit(GenerationRequest.of(prompt, twenty), TokenListener.NONE));
            // two sequences of ~1 s ahead on one slot: about 2 s (the waiting one and the newcomer's own turn)
            assertThat(full.retryAfterSeconds()).isBetween(2, 8);
            running.cancel();
            waiting.cancel();
        }
    }
}
