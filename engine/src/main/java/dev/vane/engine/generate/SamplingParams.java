package dev.vane.engine.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Per-request sampling parameters with OpenAI / vLLM semantics and defaults.
 *
 * <p>Every component is validated by the compact constructor, which throws
 * {@link InvalidSamplingParamsException} naming the OpenAI snake_case field:
 * <ul>
 *   <li>{@code temperature} — finite, {@code >= 0}; {@code 0} means greedy (argmax). Default 1.0.</li>
 *   <li>{@code top_k} — {@code 0} or {@code -1} disables it (normalised to {@code 0}), otherwise {@code >= 1}. Default 0.</li>
 *   <li>{@code top_p} — in {@code (0, 1]}; {@code 1} disables it. Default 1.0.</li>
 *   <li>{@code min_p} — in {@code [0, 1]}; {@code 0} disables it. Default 0.</li>
 *   <li>{@code repetition_penalty} — finite, {@code > 0}; {@code 1} disables it. Default 1.0.</li>
 *   <li>{@code presence_penalty}, {@code frequency_penalty} — in {@code [-2, 2]}. Default 0.</li>
 *   <li>{@code seed} — optional; absent means a random seed per sequence.</li>
 *   <li>{@code max_tokens} — {@code >= 1}. Default 16.</li>
 *   <li>{@code stop} — at most {@value #MAX_STOP_STRINGS} non-empty strings. Default none.</li>
 *   <li>{@code stop_token_ids} — non-negative token ids. Default none.</li>
 *   <li>{@code ignore_eos} — keep generating past EOS tokens. Default false.</li>
 *   <li>{@code logprobs} — number of top alternatives to return per token, {@code 0..}{@value #MAX_LOGPROBS};
 *       {@code 0} means no log-probabilities. Default 0.</li>
 *   <li>{@code logit_bias} — token id to a bias in {@code [-100, 100]}, added to its logit before the
 *       penalties. Default none.</li>
 *   <li>{@code min_tokens} — in {@code [0, max_tokens]}: until this many tokens are generated, end tokens
 *       (EOS unless ignored, {@code stop_token_ids}) are masked and stop strings are not looked for. Default 0.</li>
 *   <li>{@code include_stop_str_in_output} — keep the stop string that ended the text in it. Default false.</li>
 *   <li>{@code skip_special_tokens} — leave special tokens' text out of the generated text. Default true.</li>
 *   <li>{@code prompt_logprobs} — the log-probability of every prompt token after the first, given
 *       the tokens before it, with this many alternatives ({@code 0..}{@value #MAX_LOGPROBS}); {@code -1}
 *       for none. Default -1.</li>
 * </ul>
 * {@code null} for {@code seed}, {@code stop}, {@code stopTokenIds} or {@code logitBias} is read as "none".
 */
public record SamplingParams(
        double temperature,
        int topK,
        double topP,
        double minP,
        double repetitionPenalty,
        double presencePenalty,
        double frequencyPenalty,
        OptionalLong seed,
        int maxTokens,
        List<String> stop,
        Set<Integer> stopTokenIds,
        boolean ignoreEos,
        int logprobs,
        Map<Integer, Float> logitBias,
        int minTokens,
        boolean includeStopStrInOutput,
        boolean skipSpecialTokens,
        int promptLogprobs) {

    /** Most stop strings a request may carry. */
    public static final int MAX_STOP_STRINGS = 16;
    /** Most top alternatives a request may ask for per token. */
    public static final int MAX_LOGPROBS = 20;
    /** Largest magnitude of a {@code logit_bias} entry, as in the OpenAI API. */
    public static final float MAX_LOGIT_BIAS = 100;
    /** Default {@code max_tokens}, as in the OpenAI completions API and vLLM. */
    public static final int DEFAULT_MAX_TOKENS = 16;

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new InvalidSamplingParamsException("temperature",
                    "temperature must be a finite number >= 0 (0 = greedy), got " + temperature);
        }
        if (topK == -1) {
            topK = 0;
        }
        if (topK < 0) {
            throw new InvalidSamplingParamsException("top_k",
                    "top_k must be 0 or -1 (disabled) or an integer >= 1, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new InvalidSamplingParamsException("top_p", "top_p must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new InvalidSamplingParamsException("min_p", "min_p must be in [0, 1], got " + minP);
        }
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw new InvalidSamplingParamsException("repetition_penalty",
                    "repetition_penalty must be a finite number > 0 (1 = disabled), got " + repetitionPenalty);
        }
        if (!(presencePenalty >= -2 && presencePenalty <= 2)) {
            throw new InvalidSamplingParamsException("presence_penalty",
                    "presence_penalty must be in [-2, 2], got " + presencePenalty);
        }
        if (!(frequencyPenalty >= -2 && frequencyPenalty <= 2)) {
            throw new InvalidSamplingParamsException("frequency_penalty",
                    "frequency_penalty must be in [-2, 2], got " + frequencyPenalty);
        }
        seed = seed == null ? OptionalLong.empty() : seed;
        if (maxTokens < 1) {
            throw new InvalidSamplingParamsException("max_tokens", "max_tokens must be >= 1, got " + maxTokens);
        }
        stop = validateStop(stop);
        stopTokenIds = validateStopTokenIds(stopTokenIds);
        if (logprobs < 0 || logprobs > MAX_LOGPROBS) {
            throw new InvalidSamplingParamsException("logprobs",
                    "logprobs must be in [0, " + MAX_LOGPROBS + "], got " + logprobs);
        }
        logitBias = validateLogitBias(logitBias);
        if (promptLogprobs < -1 || promptLogprobs > MAX_LOGPROBS) {
            throw new InvalidSamplingParamsException("prompt_logprobs",
                    "prompt_logprobs must be in [0, " + MAX_LOGPROBS + "] (or -1 for none), got " + promptLogprobs);
        }
        if (minTokens < 0 || minTokens > maxTokens) {
            throw new InvalidSamplingParamsException("min_tokens",
                    "min_tokens must be in [0, max_tokens = " + maxTokens + "], got " + minTokens);
        }
    }

    private static Map<Integer, Float> validateLogitBias(Map<Integer, Float> bias) {
        if (bias == null || bias.isEmpty()) {
            return Map.of();
        }
        for (Map.Entry<Integer, Float> e : bias.entrySet()) {
            if (e.getKey() == null || e.getKey() < 0) {
                throw new InvalidSamplingParamsException("logit_bias", "logit_bias keys must be token ids, got " + e.getKey());
            }
            Float b = e.getValue();
            if (b == null || !(b >= -MAX_LOGIT_BIAS && b <= MAX_LOGIT_BIAS)) {
                throw new InvalidSamplingParamsException("logit_bias",
                        "logit_bias of token " + e.getKey() + " must be in [-100, 100], got " + b);
            }
        }
        return Map.copyOf(bias);
    }

    private static List<String> validateStop(List<String> stop) {
        if (stop == null || stop.isEmpty()) {
            return List.of();
        }
        if (stop.size() > MAX_STOP_STRINGS) {
            throw new InvalidSamplingParamsException("stop",
                    "stop may hold at most " + MAX_STOP_STRINGS + " strings, got " + stop.size());
        }
        for (int i = 0; i < stop.size(); i++) {
            String s = stop.get(i);
            if (s == null || s.isEmpty()) {
                throw new InvalidSamplingParamsException("stop",
                        "stop strings must be non-empty, but entry " + i + " is " + (s == null ? "null" : "empty"));
            }
        }
        return List.copyOf(stop);
    }

    private static Set<Integer> validateStopTokenIds(Set<Integer> ids) {
        if (ids == null || ids.isEmpty()) {
            return Set.of();
        }
        for (Integer id : ids) {
            if (id == null || id < 0) {
                throw new InvalidSamplingParamsException("stop_token_ids",
                        "stop_token_ids must be non-negative token ids, got " + id);
            }
        }
        return Set.copyOf(ids);
    }

    /** Greedy decoding (temperature 0, every filter and penalty off) for up to {@code maxTokens} tokens. */
    public static SamplingParams greedy(int maxTokens) {
        return builder().temperature(0).maxTokens(maxTokens).build();
    }

    /** A builder holding the OpenAI / vLLM defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with these parameters. */
    public Builder toBuilder() {
        return new Builder()
                .temperature(temperature).topK(topK).topP(topP).minP(minP)
                .repetitionPenalty(repetitionPenalty).presencePenalty(presencePenalty)
                .frequencyPenalty(frequencyPenalty).seed(seed).maxTokens(maxTokens).stop(stop)
                .stopTokenIds(stopTokenIds).ignoreEos(ignoreEos).logprobs(logprobs).logitBias(logitBias)
                .minTokens(minTokens).includeStopStrInOutput(includeStopStrInOutput).skipSpecialTokens(skipSpecialTokens)
                .promptLogprobs(promptLogprobs);
    }

    /** Whether the next token is the argmax of the penalised logits ({@code temperature == 0}). */
    public boolean isGreedy() {
        return temperature == 0;
    }

    /** Whether any of repetition, presence or frequency penalties changes the logits. */
    public boolean hasPenalties() {
        return repetitionPenalty != 1 || presencePenalty != 0 || frequencyPenalty != 0;
    }

    /** Whether the sampler changes the logits before it picks a token: a bias, {@code min_tokens} or a penalty. */
    public boolean adjustsLogits() {
        return hasPenalties() || !logitBias.isEmpty() || minTokens > 0;
    }

    /**
     * Checks that the prompt plus {@code max_tokens} fits the model's context.
     *
     * @throws InvalidSamplingParamsException with field {@code "prompt"} when
     *         {@code promptTokens >= contextLength}, or field {@code "max_tokens"} when
     *         {@code promptTokens + maxTokens > contextLength}
     * @throws IllegalArgumentException if {@code promptTokens < 0} or {@code contextLength < 1}
     */
    public void checkContext(int promptTokens, int contextLength) {
        if (promptTokens < 0) {
            throw new IllegalArgumentException("promptTokens must be >= 0, got " + promptTokens);
        }
        if (contextLength < 1) {
            throw new IllegalArgumentException("contextLength must be >= 1, got " + contextLength);
        }
        if (promptTokens >= contextLength) {
            throw new InvalidSamplingParamsException("prompt",
                    "the prompt has " + promptTokens + " tokens, which leaves no room to generate within the model's"
                            + " context length of " + contextLength + " tokens");
        }
        if ((long) promptTokens + maxTokens > contextLength) {
            throw new InvalidSamplingParamsException("max_tokens",
                    "max_tokens is " + maxTokens + " but the prompt has " + promptTokens
                            + " tokens and the model's context length is " + contextLength
                            + " tokens, so max_tokens can be at most " + (contextLength - promptTokens));
        }
    }

    /** Mutable builder; {@link #build()} validates. Defaults follow OpenAI / vLLM. */
    public static final class Builder {
        private double temperature = 1.0;
        private int topK = 0;
        private double topP = 1.0;
        private double minP = 0.0;
        private double repetitionPenalty = 1.0;
        private double presencePenalty = 0.0;
        private double frequencyPenalty = 0.0;
        private OptionalLong seed = OptionalLong.empty();
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private List<String> stop = List.of();
        private Set<Integer> stopTokenIds = Set.of();
        private boolean ignoreEos = false;
        private int logprobs = 0;
        private Map<Integer, Float> logitBias = Map.of();
        private int minTokens = 0;
        private boolean includeStopStrInOutput = false;
        private boolean skipSpecialTokens = true;
        private int promptLogprobs = -1;

        private Builder() {
        }

        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        public Builder topP(double topP) {
            this.topP = topP;
            return this;
        }

        public Builder minP(double minP) {
            this.minP = minP;
            return this;
        }

        public Builder repetitionPenalty(double repetitionPenalty) {
            this.repetitionPenalty = repetitionPenalty;
            return this;
        }

        public Builder presencePenalty(double presencePenalty) {
            this.presencePenalty = presencePenalty;
            return this;
        }

        public Builder frequencyPenalty(double frequencyPenalty) {
            this.frequencyPenalty = frequencyPenalty;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = OptionalLong.of(seed);
            return this;
        }

        public Builder seed(OptionalLong seed) {
            this.seed = seed;
            return this;
        }

        public Builder maxTokens(int maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        /** Stop strings; {@code null} entries are kept so that {@link #build()} reports them. */
        public Builder stop(Collection<String> stop) {
            this.stop = stop == null ? null : new ArrayList<>(stop);
            return this;
        }

        public Builder stop(String... stop) {
            return stop(stop == null ? null : Arrays.asList(stop));
        }

        public Builder stopTokenIds(Collection<Integer> stopTokenIds) {
            this.stopTokenIds = stopTokenIds == null ? null : new LinkedHashSet<>(stopTokenIds);
            return this;
        }

        public Builder stopTokenIds(int... stopTokenIds) {
            Set<Integer> ids = new LinkedHashSet<>();
            for (int id : Objects.requireNonNull(stopTokenIds, "stopTokenIds")) {
                ids.add(id);
            }
            this.stopTokenIds = ids;
            return this;
        }

        public Builder ignoreEos(boolean ignoreEos) {
            this.ignoreEos = ignoreEos;
            return this;
        }

        public Builder logprobs(int logprobs) {
            this.logprobs = logprobs;
            return this;
        }

        /** Added to the logits of these token ids before the penalties, each in [-100, 100] (OpenAI's {@code logit_bias}). */
        public Builder logitBias(Map<Integer, Float> logitBias) {
            this.logitBias = logitBias == null ? null : new HashMap<>(logitBias);
            return this;
        }

        /** Tokens generated before an end token or a stop string may end the sequence (vLLM's {@code min_tokens}). */
        public Builder minTokens(int minTokens) {
            this.minTokens = minTokens;
            return this;
        }

        /** Whether the stop string that ended a sequence stays in its text (vLLM's {@code include_stop_str_in_output}). */
        public Builder includeStopStrInOutput(boolean include) {
            this.includeStopStrInOutput = include;
            return this;
        }

        /** Whether special tokens' text is left out of the generated text (default true, as in vLLM). */
        public Builder skipSpecialTokens(boolean skip) {
            this.skipSpecialTokens = skip;
            return this;
        }

        /** Log-probabilities of the prompt's tokens with this many alternatives; -1 (the default) for none. */
        public Builder promptLogprobs(int promptLogprobs) {
            this.promptLogprobs = promptLogprobs;
            return this;
        }

        /** @throws InvalidSamplingParamsException if any parameter is out of range */
        public SamplingParams build() {
            return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                    frequencyPenalty, seed, maxTokens, stop, stopTokenIds, ignoreEos, logprobs, logitBias, minTokens,
                    includeStopStrInOutput, skipSpecialTokens, promptLogprobs);
        }
    }
}
