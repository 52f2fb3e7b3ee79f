package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.generate.GenerationDefaults;
import dev.vane.engine.generate.InvalidSamplingParamsException;
import dev.vane.engine.generate.SamplingParams;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The sampling fields shared by every generate route: OpenAI's {@code temperature}, {@code top_p},
 * {@code presence_penalty}, {@code frequency_penalty}, {@code seed}, {@code stop}, and the vLLM-style
 * extras {@code top_k}, {@code min_p}, {@code repetition_penalty}, {@code stop_token_ids},
 * {@code ignore_eos}. Routes add {@code max_tokens} and log-probabilities themselves.
 */
final class SamplingFields {

    static final Set<String> NAMES = Set.of("temperature", "top_p", "top_k", "min_p", "repetition_penalty",
            "presence_penalty", "frequency_penalty", "seed", "stop", "stop_token_ids", "ignore_eos");

    private SamplingFields() {}

    /** The request's fields over the model's {@code defaults} (a field the request gives wins). */
    static SamplingParams.Builder read(Fields f, GenerationDefaults defaults) {
        SamplingParams.Builder p = defaults.builder();
        f.number("temperature").ifPresent(p::temperature);
        f.number("top_p").ifPresent(p::topP);
        f.integer("top_k").ifPresent(p::topK);
        f.number("min_p").ifPresent(p::minP);
        f.number("repetition_penalty").ifPresent(p::repetitionPenalty);
        f.number("presence_penalty").ifPresent(p::presencePenalty);
        f.number("frequency_penalty").ifPresent(p::frequencyPenalty);
        f.longInteger("seed").ifPresent(p::seed);
        f.strings("stop").ifPresent(p::stop);
        f.array("stop_token_ids").ifPresent(ids -> {
            List<Integer> out = new ArrayList<>();
            for (JsonNode id : ids) {
                if (!id.isIntegralNumber() || !id.canConvertToInt())
                    throw ApiError.invalid("stop_token_ids", "stop_token_ids must be an array of token ids");
                out.add(id.intValue());
            }
            p.stopTokenIds(out);
        });
        f.bool("ignore_eos").ifPresent(p::ignoreEos);
        return p;
    }

    /** Runs an engine-side validation, turning its field-named exception into a 400. */
    static <T> T validated(Supplier<T> build) {
        try {
            return build.get();
        } catch (InvalidSamplingParamsException e) {
            throw ApiError.invalid(e.field(), e.getMessage());
        }
    }
}
