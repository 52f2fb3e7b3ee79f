/**
 * Pure-Java token selection for one sequence at a time: sampling parameters and their validation,
 * logit penalties, temperature / top-k / top-p / min-p sampling, log-probabilities, stop strings and
 * stop tokens.
 *
 * <p>Everything here works on one row of model logits as a {@code float[]} indexed by token id. Typical
 * per-step use for one sequence:
 *
 * <pre>{@code
 * SamplingParams params = SamplingParams.builder().temperature(0.7).topP(0.9).seed(42).build();
 * params.checkContext(prompt.length, contextLength);
 * SequenceState state = new SequenceState(params, prompt);       // once per sequence
 * StopCriteria stop = StopCriteria.of(params, eosTokenIds);      // once per sequence
 * StopStringMatcher stopStrings = new StopStringMatcher(params.stop());
 * Sampler sampler = new Sampler();                               // once per worker thread
 *
 * // each decode step:
 * int token = sampler.sample(logits, state);                     // does not modify logits
 * TokenLogprobs lp = params.logprobs() > 0
 *         ? TokenLogprobs.compute(logits, token, params.logprobs()) : null;
 * state.append(token);
 * Optional<FinishReason> done = stop.check(token, state.generatedTokens());
 * StopStringMatcher.Result piece = stopStrings.offer(detokenizedPiece);
 * }</pre>
 */
package dev.vane.engine.generate;
