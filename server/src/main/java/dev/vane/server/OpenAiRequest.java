package dev.vane.server;

import dev.vane.engine.constrain.Grammar;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.SamplingParams;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed OpenAI generate request, the same for both routes.
 *
 * @param prompts      token ids per prompt
 * @param params       sampling parameters per prompt (validated)
 * @param n            choices per prompt
 * @param stream       whether to answer with server-sent events
 * @param includeUsage {@code stream_options.include_usage}
 * @param topLogprobs  alternatives per token to return, or -1 for no log-probabilities
 * @param vane         the {@code vane} options
 * @param echo         completions' {@code echo}: per prompt, the text that opens its choices; empty without echo
 * @param bestOf       completions' {@code best_of}: sequences generated per prompt, of which the
 *                     {@code n} with the highest log-probability are returned ({@code n} when not set)
 * @param toolCalls    chat with {@code tools}: how calls are read out of each answer
 * @param grammar      the constraint on every choice: {@code response_format}'s, or a forced tool call's (empty: text)
 */
record OpenAiRequest(List<int[]> prompts, List<SamplingParams> params, int n, boolean stream, boolean includeUsage,
                     int topLogprobs, VaneOptions vane, List<String> echo, int bestOf, java.util.Optional<ToolCallReader> toolCalls,
                     java.util.Optional<Grammar> grammar) {

    static final int MAX_N = 16;

    /** Fields accepted by both routes (beyond the sampling ones); {@code user} is accepted and ignored. */
    static final Set<String> COMMON = Fields.union(SamplingFields.NAMES,
            Set.of("model", "n", "stream", "stream_options", "user", "vane"));

    /** The common envelope fields: {@code n}, {@code stream}, {@code stream_options}, {@code user}. */
    record Envelope(int n, boolean stream, boolean includeUsage, VaneOptions vane) {

        static Envelope read(Fields f) {
            int n = f.integer("n", 1, MAX_N).orElse(1);
            boolean stream = f.bool("stream").orElse(false);
            boolean includeUsage = false;
            var options = f.object("stream_options");
            if (options.isPresent()) {
                if (!stream) throw ApiError.invalid("stream_options", "stream_options is only allowed when stream is true");
                options.get().allowOnly(Set.of("include_usage"));
                includeUsage = options.get().bool("include_usage").orElse(false);
            }
            f.string("user");
            return new Envelope(n, stream, includeUsage, VaneOptions.read(f));
        }
    }

    /**
     * The sequences to run: prompt-major, {@code index = prompt * n + choice} as in OpenAI; with
     * {@code best_of > n}, {@code best_of} candidates per prompt, {@code index = prompt * best_of +
     * candidate}, until {@link #best} picks the returned ones.
     */
    List<ChoiceBatch.Spec> specs() {
        List<ChoiceBatch.Spec> out = new ArrayList<>(prompts.size() * bestOf);
        for (int p = 0; p < prompts.size(); p++)
            for (int c = 0; c < bestOf; c++)
                out.add(new ChoiceBatch.Spec(p * bestOf + c, p, prompts.get(p), choiceParams(params.get(p), c), grammar));
        return out;
    }

    /**
     * The returned choices out of {@link #specs}' results (in their order): every one, or with
     * {@code best_of > n} each prompt's {@code n} candidates of the highest summed log-probability
     * of their tokens (ties: the earlier candidate), as {@code (index, result)} in index order.
     */
    List<Map.Entry<Integer, GenerationResult>> best(List<GenerationResult> results) {
        List<Map.Entry<Integer, GenerationResult>> out = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            List<Integer> candidates = new ArrayList<>();
            for (int c = 0; c < bestOf; c++) candidates.add(p * bestOf + c);
            if (bestOf > n) candidates.sort(Comparator.comparingDouble((Integer i) -> -score(results.get(i))));
            for (int c = 0; c < n; c++) out.add(Map.entry(p * n + c, results.get(candidates.get(c))));
        }
        return out;
    }

    /** A candidate's summed token log-probability. */
    private static double score(GenerationResult r) {
        double s = 0;
        for (var t : r.logprobs()) s += t.chosen().logprob();
        return s;
    }

    /**
     * Choice 0 keeps the request's seed; later choices get distinct seeds derived from it, so that
     * {@code n > 1} with a seed gives different but reproducible choices.
     */
    private static SamplingParams choiceParams(SamplingParams p, int choice) {
        if (choice == 0 || p.seed().isEmpty()) return p;
        long z = p.seed().getAsLong() + choice * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return p.toBuilder().seed(z ^ (z >>> 31)).build();
    }
}
