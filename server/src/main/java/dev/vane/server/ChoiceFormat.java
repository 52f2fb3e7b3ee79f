package dev.vane.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.generate.GenerationResult;
import dev.vane.engine.generate.TokenLogprobs;

import java.util.Optional;

/** How one OpenAI route writes its choices, whole or as stream chunks. */
interface ChoiceFormat {

    /** {@code object} of a whole response ({@code "text_completion"}, {@code "chat.completion"}). */
    String object();

    /** {@code object} of a stream chunk. */
    String chunkObject();

    /** Prefix of response ids ({@code "cmpl-"}, {@code "chatcmpl-"}). */
    String idPrefix();

    /** One element of a whole response's {@code choices}. */
    ObjectNode choice(int index, GenerationResult result);

    /** The chunk choice that opens a choice's stream, or null for none. */
    ObjectNode opening(int index);

    /** A chunk choice carrying text (and log-probabilities); null when there is nothing to send. */
    ObjectNode delta(int index, String text, Optional<TokenLogprobs> logprobs);

    /** The chunk choice that ends a choice's stream. */
    ObjectNode finish(int index, String finishReason);
}
