package dev.vane.server;

import dev.vane.attention.AttentionKind;
import dev.vane.attention.AttentionOptions;
import dev.vane.attention.LengthScale;
import dev.vane.attention.SoftmaxAlgorithm;
import dev.vane.engine.model.Backend;

import java.util.Optional;
import java.util.Set;

/**
 * A request's {@code vane.attention}: the training-free attention options for its sequences,
 * {@code {"algorithm": "reference" | "online" | "two_pass", "log_n": L | false}}; a key left out
 * keeps the server's setting ({@code --attention-algorithm}, {@code --attention-log-n}).
 */
record AttentionRequest(Optional<SoftmaxAlgorithm> algorithm, Optional<LengthScale> length) {

    static final AttentionRequest NONE = new AttentionRequest(Optional.empty(), Optional.empty());
    static final Set<String> KEYS = Set.of("algorithm", "log_n");

    static AttentionRequest parse(Fields a) {
        a.allowOnly(KEYS);
        Optional<SoftmaxAlgorithm> algorithm = a.string("algorithm").map(s -> {
            try {
                return SoftmaxAlgorithm.parse(s);
            } catch (IllegalArgumentException e) {
                throw ApiError.invalid(a.param("algorithm"), a.param("algorithm") + " must be reference, online or two_pass, got '" + s + "'");
            }
        });
        Optional<LengthScale> length = Optional.empty();
        com.fasterxml.jackson.databind.JsonNode n = a.raw("log_n");
        if (n != null) {
            if (n.isBoolean() && !n.booleanValue()) length = Optional.of(LengthScale.NONE);
            else if (n.isIntegralNumber() && n.canConvertToInt() && n.intValue() >= 2) length = Optional.of(new LengthScale.LogN(n.intValue()));
            else throw ApiError.invalid(a.param("log_n"), a.param("log_n")
                        + " must be the training length (an integer >= 2) of the softmax model, or false, got " + n);
        }
        return new AttentionRequest(algorithm, length);
    }

    /**
     * The options this request's rows run with on a model of {@code kind} served by {@code backend}
     * with {@code served}; empty when they are the served ones.
     *
     * @throws ApiError 400 naming {@code vane.attention} when the model or backend cannot honour them
     */
    Optional<AttentionOptions> resolve(AttentionKind kind, Backend.Kind backend, AttentionOptions served) {
        if (equals(NONE)) return Optional.empty();
        AttentionOptions o = new AttentionOptions(algorithm.orElse(served.algorithm()), length.orElse(served.length()));
        if (o.equals(served)) return Optional.empty();
        if (!(kind instanceof AttentionKind.Softmax))
            throw ApiError.invalid("vane.attention", "vane.attention sets softmax options; this model's attention is " + kind.id());
        if (backend == Backend.Kind.TENSOR)
            throw ApiError.invalid("vane.attention", "the tensor backend runs one attention setting for every row ("
                    + served.algorithm().id() + ", log-n " + logN(served) + "); set it with --attention-algorithm and --attention-log-n");
        return Optional.of(o);
    }

    /** How the trace writes a length scale: the training length of log-n scaling, or false. */
    static Object logN(AttentionOptions o) {
        return o.length() instanceof LengthScale.LogN l ? (Object) l.trainLength() : Boolean.FALSE;
    }
}
