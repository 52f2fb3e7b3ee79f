package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vane.engine.generate.SamplingParams;

import java.util.Set;

/**
 * The native generate request as REST ({@code POST /v1/generate}) and gRPC ({@code vane.v1.Generation})
 * both read it: one prompt (text or token ids), the sampling surface, {@code max_tokens},
 * {@code logprobs}, {@code response_format} ({@link ResponseFormat}) and the {@code vane} object. A
 * bad field is a 400 naming it.
 *
 * @param prompt the prompt's token ids
 * @param stream whether the request asked for a stream ({@code stream}; gRPC chooses by method)
 */
record NativeRequest(int[] prompt, SamplingParams params, VaneOptions vane, boolean stream,
                     java.util.Optional<dev.vane.engine.constrain.Grammar> grammar) {

    static final Set<String> FIELDS = Fields.union(SamplingFields.NAMES,
            Set.of("model", "prompt", "max_tokens", "logprobs", "stream", "add_special_tokens", "vane", ResponseFormat.FIELD));

    static NativeRequest read(Fields f, ServerContext ctx) {
        f.allowOnly(FIELDS);
        ctx.checkModel(f);
        VaneOptions vane = VaneOptions.read(f);
        var grammar = ResponseFormat.read(f);
        SamplingParams.Builder p = SamplingFields.read(f, ctx);
        f.integer("max_tokens").ifPresent(p::maxTokens);
        f.integer("logprobs").ifPresent(p::logprobs);
        SamplingParams params = SamplingFields.validated(p::build);
        return new NativeRequest(prompt(f, ctx), params, vane, f.bool("stream").orElse(false), grammar);
    }

    private static int[] prompt(Fields f, ServerContext ctx) {
        JsonNode p = f.raw("prompt");
        boolean special = f.bool("add_special_tokens").orElse(true);
        int[] ids;
        if (p == null) throw ApiError.invalid("prompt", "prompt is required");
        if (p.isTextual()) ids = Prompts.encode(ctx, p.textValue(), special, "prompt");
        else if (p.isArray()) ids = Prompts.tokenIds(p, ctx.engine().vocabSize());
        else throw ApiError.invalid("prompt", "prompt must be a string or an array of token ids");
        if (ids.length == 0) throw ApiError.invalid("prompt", "prompt must not be empty");
        return ids;
    }
}
