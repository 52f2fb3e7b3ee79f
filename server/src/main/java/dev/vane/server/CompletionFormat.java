package dev.vane.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.TokenLogprobs;

import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /v1/completions}: request parsing and the {@code text_completion} shapes. Accepted
 * and ignored: {@code user}; accepted only at their no-op values: {@code echo} (false),
 * {@code suffix} (null or empty), {@code best_of} (equal to {@code n}).
 */
final class CompletionFormat implements ChoiceFormat {

    static final int MAX_LOGPROBS = 5;
    private static final Set<String> FIELDS = Fields.union(OpenAiRequest.COMMON,
            Set.of("prompt", "max_tokens", "logprobs", "echo", "suffix", "best_of"));

    private final Logprobs logprobs;
    private final int top;
    private final int[] offsets;

    CompletionFormat(Logprobs logprobs, OpenAiRequest request) {
        this.logprobs = logprobs;
        this.top = request.topLogprobs();
        this.offsets = new int[request.prompts().size() * request.n()];
    }

    static OpenAiRequest parse(Fields f, ServerContext ctx) {
        f.allowOnly(FIELDS);
        ctx.checkModel(f);
        OpenAiRequest.Envelope envelope = OpenAiRequest.Envelope.read(f);
        if (f.bool("echo").orElse(false)) throw ApiError.unsupported("echo", "echo");
        if (!f.string("suffix").orElse("").isEmpty()) throw ApiError.unsupported("suffix", "suffix");
        if (f.integer("best_of").isPresent() && f.integer("best_of").getAsInt() != envelope.n())
            throw ApiError.unsupported("best_of", "best_of other than n");
        int top = f.integer("logprobs", 0, MAX_LOGPROBS).orElse(-1);
        SamplingParams.Builder p = SamplingFields.read(f, ctx);
        f.integer("max_tokens").ifPresent(p::maxTokens);
        if (top >= 0) p.logprobs(Math.max(1, top));
        SamplingParams params = SamplingFields.validated(p::build);
        List<int[]> prompts = Prompts.completion(f, ctx);
        return new OpenAiRequest(prompts, Collections.nCopies(prompts.size(), params), envelope.n(), envelope.stream(),
                envelope.includeUsage(), top, envelope.vane());
    }

    @Override public String object() { return "text_completion"; }
    @Override public String chunkObject() { return "text_completion"; }
    @Override public String idPrefix() { return "cmpl-"; }

    @Override
    public ObjectNode choice(int index, GenerationResult r) {
        ObjectNode c = JsonBody.JSON.createObjectNode().put("text", r.text()).put("index", index);
        if (top < 0) c.putNull("logprobs");
        else logprobs.completion(c.putObject("logprobs"), r.logprobs(), top, 0);
        return c.put("finish_reason", r.finishReason().wireName());
    }

    @Override
    public ObjectNode opening(int index) {
        return null;
    }

    @Override
    public ObjectNode delta(int index, String text, Optional<TokenLogprobs> lp) {
        boolean withLogprobs = top >= 0 && lp.isPresent();
        if (text.isEmpty() && !withLogprobs) return null;
        ObjectNode c = JsonBody.JSON.createObjectNode().put("text", text).put("index", index);
        if (withLogprobs) offsets[index] = logprobs.completion(c.putObject("logprobs"), List.of(lp.get()), top, offsets[index]);
        else c.putNull("logprobs");
        return c.putNull("finish_reason");
    }

    @Override
    public ObjectNode finish(int index, String finishReason) {
        return JsonBody.JSON.createObjectNode().put("text", "").put("index", index).putNull("logprobs")
                .put("finish_reason", finishReason);
    }
}
