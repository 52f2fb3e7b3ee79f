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
 * {@code POST /v1/completions}: request parsing and the {@code text_completion} shapes. With
 * {@code echo}, each choice's text starts with its prompt (the request's string, or the decoded
 * token ids), and with {@code logprobs} its log-probabilities start with the prompt's tokens (the
 * first one's {@code null}; every other one's given the tokens before it), as lm-evaluation-harness
 * reads them for log-likelihood tasks. {@code suffix} runs fill-in-the-middle on models with infill
 * tokens ({@link Infill}), else it is a 400 saying so. {@code best_of} generates that many
 * candidates per prompt and returns the {@code n} of the highest summed token log-probability
 * (not streamed; usage counts every candidate's tokens). {@code response_format} constrains the
 * choices to JSON as on chat completions ({@link ResponseFormat}; vLLM accepts it here too).
 * Accepted and ignored: {@code user}.
 */
final class CompletionFormat implements ChoiceFormat {

    static final int MAX_LOGPROBS = 5;
    static final Set<String> FIELDS = Fields.union(OpenAiRequest.COMMON,
            Set.of("prompt", "max_tokens", "logprobs", "echo", "suffix", "best_of", ResponseFormat.FIELD));

    private final Logprobs logprobs;
    private final int top;
    private final int[] offsets;
    private final OpenAiRequest request;

    CompletionFormat(Logprobs logprobs, OpenAiRequest request) {
        this.logprobs = logprobs;
        this.top = request.topLogprobs();
        this.offsets = new int[request.prompts().size() * request.n()];
        this.request = request;
    }

    static OpenAiRequest parse(Fields f, ServerContext ctx) {
        f.allowOnly(FIELDS);
        ctx.checkModel(f);
        OpenAiRequest.Envelope envelope = OpenAiRequest.Envelope.read(f);
        var grammar = ResponseFormat.read(f);
        boolean echo = f.bool("echo").orElse(false);
        String suffix = f.string("suffix").orElse("");
        if (echo && !suffix.isEmpty())
            throw ApiError.invalid("suffix", "suffix cannot be combined with echo (the prompt is wrapped in the infill tokens)");
        Optional<Infill> infill = suffix.isEmpty() ? Optional.empty()
                : Optional.of(Infill.of(ctx.engine().tokenizer()).orElseThrow(() -> ApiError.invalid("suffix", Infill.missing(ctx.modelId()))));
        int bestOf = f.integer("best_of", 1, OpenAiRequest.MAX_N).orElse(envelope.n());
        if (bestOf < envelope.n()) throw ApiError.invalid("best_of", "best_of must be at least n (" + envelope.n() + "), got " + bestOf);
        if (bestOf > envelope.n() && envelope.stream())
            throw ApiError.invalid("best_of", "best_of greater than n cannot stream: the best choices are known only at the end");
        int top = f.integer("logprobs", 0, MAX_LOGPROBS).orElse(-1);
        SamplingParams.Builder p = SamplingFields.read(f, ctx);
        f.integer("max_tokens").ifPresent(p::maxTokens);
        if (top >= 0 || bestOf > envelope.n()) p.logprobs(Math.max(1, top)); // best_of ranks by the tokens' log-probabilities
        if (echo && top >= 0) {
            if (envelope.stream())
                throw ApiError.unsupported("echo", "echo with logprobs in a stream (use a JSON answer for the prompt's log-probabilities)");
            if (!(envelope.vane().beacon() instanceof BeaconRequest.Off))
                throw ApiError.invalid("echo", "the prompt's log-probabilities (echo with logprobs) cannot be computed under vane.beacon");
            p.promptLogprobs(top);
        }
        SamplingParams params = SamplingFields.validated(p::build);
        List<int[]> prompts = Prompts.completion(f, ctx);
        if (infill.isPresent()) {
            int[] suffixIds = Prompts.encode(ctx, suffix, false, "suffix");
            prompts = prompts.stream().map(ids -> infill.get().wrap(ids, suffixIds, ctx.engine().tokenizer().bosTokenId())).toList();
        }
        if (bestOf > envelope.n() && (long) prompts.size() * bestOf > ctx.maxSequences())
            throw ApiError.invalid("best_of", "the request asks for " + (long) prompts.size() * bestOf + " sequences (prompts × best_of);"
                    + " this server admits at most " + ctx.maxSequences() + " at once");
        List<String> echoed = echo ? Prompts.texts(f, prompts, ctx) : List.of();
        return new OpenAiRequest(prompts, Collections.nCopies(prompts.size(), params), envelope.n(), envelope.stream(),
                envelope.includeUsage(), top, envelope.vane(), echoed, bestOf, Optional.empty(), grammar);
    }

    /** The echoed prompt that opens choice {@code index}'s text (empty without echo). */
    private String echoed(int index) {
        return request.echo().isEmpty() ? "" : request.echo().get(index / request.n());
    }

    @Override public String object() { return "text_completion"; }
    @Override public String chunkObject() { return "text_completion"; }
    @Override public String idPrefix() { return "cmpl-"; }

    @Override
    public ObjectNode choice(int index, GenerationResult r) {
        ObjectNode c = JsonBody.JSON.createObjectNode().put("text", echoed(index) + r.text()).put("index", index);
        if (top < 0) c.putNull("logprobs");
        else {
            ObjectNode lp = c.putObject("logprobs");
            int offset = request.echo().isEmpty() ? 0
                    : logprobs.prompt(lp, request.prompts().get(index / request.n()), r.promptLogprobs(), top);
            logprobs.completion(lp, r.logprobs(), top, offset);
        }
        return c.put("finish_reason", r.finishReason().wireName());
    }

    /** With {@code echo}, a stream opens each choice with its prompt's text. */
    @Override
    public ObjectNode opening(int index) {
        if (request.echo().isEmpty()) return null;
        return JsonBody.JSON.createObjectNode().put("text", echoed(index)).put("index", index).putNull("logprobs")
                .putNull("finish_reason");
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
