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
        ArrayNode tokens = target.putArray("tokens");
        ArrayNode tokenLogprobs = target.putArray("token_logprobs");
        ArrayNode topLogprobs = target.putArray("top_logprobs");
        ArrayNode textOffset = target.putArray("text_offset");
        for (TokenLogprobs step : steps) {
            String text = texts.text(step.chosen().token());
            tokens.add(text);
            tokenLogprobs.add(value(step.chosen().logprob()));
            ObjectNode alternatives = topLogprobs.addObject();
            for (TokenLogprob t : step.top().subList(0, Math.min(top, step.top().size())))
                alternatives.put(texts.text(t.token()), value(t.logprob()));
            alternatives.put(text, value(step.chosen().logprob()));
            textOffset.add(offset);
            offset += text.codePointCount(0, text.length());
        }
        return offset;
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
