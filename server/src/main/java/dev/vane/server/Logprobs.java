package dev.vane.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.generate.TokenLogprob;
import dev.vane.engine.generate.TokenLogprobs;

import java.util.List;

/** Log-probabilities in the two OpenAI shapes. A logprob of -inf is written as -9999.0 (as vLLM). */
final class Logprobs {

    private final TokenTexts texts;

    Logprobs(TokenTexts texts) {
        this.texts = texts;
    }

    /**
     * Completions shape {@code {tokens, token_logprobs, top_logprobs, text_offset}}: each
     * {@code top_logprobs} entry maps token text to logprob for the {@code top} most likely tokens
     * plus the sampled one (so up to {@code top + 1} entries, as OpenAI documents).
     *
     * @param offset character offset of the first token in the completion text
     * @return the offset after the last token
     */
    int completion(ObjectNode target, List<TokenLogprobs> steps, int top, int offset) {
        for (String name : List.of("tokens", "token_logprobs", "top_logprobs", "text_offset")) array(target, name);
        for (TokenLogprobs step : steps) offset = entry(target, step.chosen().token(), step, top, offset);
        return offset;
    }

    /**
     * The prompt's tokens in the completions shape, ahead of the generated ones ({@code echo}): the
     * first token has no log-probability ({@code null}, as OpenAI writes it), each later one the
     * {@code scored} entry that predicted it.
     *
     * @return the offset after the prompt's last token
     */
    int prompt(ObjectNode target, int[] ids, List<TokenLogprobs> scored, int top) {
        int offset = 0;
        for (int i = 0; i < ids.length; i++)
            offset = entry(target, ids[i], i >= 1 && i - 1 < scored.size() ? scored.get(i - 1) : null, top, offset);
        return offset;
    }

    /** Appends one token to the four arrays; {@code step} null writes nulls for its log-probabilities. */
    private int entry(ObjectNode target, int token, TokenLogprobs step, int top, int offset) {
        String text = texts.text(token);
        array(target, "tokens").add(text);
        if (step == null) {
            array(target, "token_logprobs").addNull();
            array(target, "top_logprobs").addNull();
        } else {
            array(target, "token_logprobs").add(value(step.chosen().logprob()));
            ObjectNode alternatives = array(target, "top_logprobs").addObject();
            for (TokenLogprob t : step.top().subList(0, Math.min(top, step.top().size())))
                alternatives.put(texts.text(t.token()), value(t.logprob()));
            alternatives.put(text, value(step.chosen().logprob()));
        }
        array(target, "text_offset").add(offset);
        return offset + text.codePointCount(0, text.length());
    }

    private static ArrayNode array(ObjectNode target, String name) {
        return target.has(name) ? (ArrayNode) target.get(name) : target.putArray(name);
    }

    /**
     * Chat shape {@code {content: [{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}],
     * refusal: null}} with {@code top} alternatives per token.
     */
    ObjectNode chat(List<TokenLogprobs> steps, int top) {
        ObjectNode out = JsonBody.JSON.createObjectNode();
        ArrayNode content = out.putArray("content");
        for (TokenLogprobs step : steps) {
            ObjectNode entry = token(content.addObject(), step.chosen());
            ArrayNode alternatives = entry.putArray("top_logprobs");
            for (TokenLogprob t : step.top().subList(0, Math.min(top, step.top().size())))
                token(alternatives.addObject(), t);
        }
        out.putNull("refusal");
        return out;
    }

    private ObjectNode token(ObjectNode node, TokenLogprob t) {
        node.put("token", texts.text(t.token())).put("logprob", value(t.logprob()));
        ArrayNode bytes = node.putArray("bytes");
        for (byte b : texts.bytes(t.token())) bytes.add(b & 0xFF);
        return node;
    }

    private static float value(float logprob) {
        return Float.isInfinite(logprob) ? -9999f : logprob;
    }
}
