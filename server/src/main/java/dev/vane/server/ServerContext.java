package dev.vane.server;

import dev.vane.engine.generate.GenerationDefaults;

import dev.vane.steering.control.SteeringControl;

import dev.vane.engine.schedule.GenerationService;

import java.time.Duration;
import java.util.Optional;

/**
 * What the HTTP services share.
 *
 * @param engine       the scheduler
 * @param modelId      the served model's id (its directory name)
 * @param metrics      the metrics registry
 * @param maxBodyBytes largest accepted request body
 * @param maxSequences most sequences one request may ask for (prompts × n): running slots plus
 *                     the waiting queue, beyond which a request could never be admitted
 * @param steering     profiles, the global switch and artifact lookup for request plans
 * @param requestTimeout the generation deadline of every request ({@code --request-timeout});
 *                     a request's {@code vane.timeout_seconds} may only shorten it
 * @param connections  notices clients that leave while their non-streaming request runs
 * @param defaults     the model's sampling defaults ({@code generation_config.json}) for the fields a request leaves out
 */
record ServerContext(GenerationService engine, String modelId, ServerMetrics metrics, long maxBodyBytes,
                     int maxSequences, SteeringControl steering, Optional<Duration> requestTimeout,
                     ConnectionWatch connections, GenerationDefaults defaults, ServedAttention attention) {

    /** The deadline of a request: the shorter of the server's and the request's own. */
    Optional<Duration> deadline(VaneOptions vane) {
        if (vane.timeout().isEmpty()) return requestTimeout;
        if (requestTimeout.isEmpty()) return vane.timeout();
        return Optional.of(vane.timeout().get().compareTo(requestTimeout.get()) < 0 ? vane.timeout().get() : requestTimeout.get());
    }

    /**
     * The most bytes of prompt text that could fit the context: no token stands for more than
     * {@code longestTokenBytes} bytes of normalised text; twice that leaves room for normalisers
     * that shorten text (NFC). A longer text has more tokens than the context holds.
     */
    long maxPromptBytes() {
        return 2L * engine.contextLength() * engine.tokenizer().longestTokenBytes();
    }

    /** Checks a request's {@code model} field: absent or this model, else 404. */
    void checkModel(Fields request) {
        request.string("model").ifPresent(m -> {
            if (!m.equals(modelId)) throw ApiError.modelNotFound(m);
        });
    }
}
