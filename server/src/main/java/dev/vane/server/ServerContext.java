package dev.vane.server;

import dev.vane.steering.control.SteeringControl;

import dev.vane.engine.schedule.GenerationService;

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
 */
record ServerContext(GenerationService engine, String modelId, ServerMetrics metrics, long maxBodyBytes,
                     int maxSequences, SteeringControl steering) {

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
