package dev.vane.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.generate.GenerationResult;

import java.util.List;

/** The response's {@code vane} object when the request asks for {@code vane.trace}. */
final class Trace {

    private Trace() {}

    /**
     * Nothing is applied yet ({@code applied} is empty). Timings in milliseconds: the longest
     * queue wait and the earliest first token among the choices, and the request's total time
     * since it was received.
     */
    static ObjectNode json(List<GenerationResult> results, long receivedNanos) {
        ObjectNode v = JsonBody.JSON.createObjectNode();
        v.putArray("applied");
        ObjectNode t = v.putObject("timings");
        t.put("queue_ms", results.stream().mapToLong(r -> r.timings().queueNanos()).max().orElse(0) / 1e6);
        t.put("time_to_first_token_ms", results.stream().mapToLong(r -> r.timings().firstTokenNanos())
                .filter(n -> n > 0).min().orElse(0) / 1e6);
        t.put("total_ms", (System.nanoTime() - receivedNanos) / 1e6);
        return v;
    }
}
