package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.generate.GenerationDefaults;
import dev.vane.engine.generate.InvalidSamplingParamsException;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.text.Snippet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The sampling fields shared by every generate route: OpenAI's {@code temperature}, {@code top_p},
 * {@code presence_penalty}, {@code frequency_penalty}, {@code seed}, {@code stop}, and the vLLM-style
 * extras {@code top_k}, {@code min_p}, {@code repetition_penalty}, {@code stop_token_ids},
 * {@code ignore_eos}, {@code min_tokens}, {@code include_stop_str_in_output},
 * {@code skip_special_tokens}, and OpenAI's {@code logit_bias} (token ids as strings to a bias in
 * [-100, 100]). Routes add {@code max_tokens} and log-probabilities themselves.
 */
final class SamplingFields {

    static final Set<String> NAMES = Set.of("temperature", "top_p", "top_k", "min_p", "repetition_penalty",
            "presence_penalty", "frequency_penalty", "seed", "stop", "stop_token_ids", "ignore_eos", "logit_bias",
            "min_tokens", "include_stop_str_in_output", "skip_special_tokens");

    private SamplingFields() {}

    /** The request's fields over the model's {@code defaults} (a field the request gives wins). */
    static SamplingParams.Builder read(Fields f, ServerContext ctx) {
        GenerationDefaults defaults = ctx.defaults();
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
        f.object("logit_bias").ifPresent(b -> p.logitBias(logitBias(b, ctx.engine().vocabSize())));
        f.integer("min_tokens").ifPresent(p::minTokens);
        f.bool("include_stop_str_in_output").ifPresent(p::includeStopStrInOutput);
        f.bool("skip_special_tokens").ifPresent(p::skipSpecialTokens);
        return p;
    }

    /** {@code {"token id": bias}}: keys must be this model's token ids, values numbers (their range is the engine's check). */
    private static Map<Integer, Float> logitBias(Fields b, int vocabSize) {
        Map<Integer, Float> out = new HashMap<>();
        b.node().properties().forEach(e -> {
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException x) {
                id = -1;
            }
            if (id < 0 || id >= vocabSize)
                throw ApiError.invalid("logit_bias", "logit_bias key '" + Snippet.of(e.getKey()) + "' is not a token id of this model (0.."
                        + (vocabSize - 1) + ")");
            if (!e.getValue().isNumber())
                throw ApiError.invalid("logit_bias", "logit_bias of token " + id + " must be a number");
            out.put(id, e.getValue().floatValue());
        });
        return out;
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
