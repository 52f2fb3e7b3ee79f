package dev.vane.lab.calibrate;

import dev.vane.engine.tokenizer.ChatMessage;
import dev.vane.engine.tokenizer.ChatTemplate;
import dev.vane.engine.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Turns the prompts of a calibration file into token ids, optionally wrapped as a user turn of
 * the model's chat template with the generation prompt (so the last token is where the model
 * starts its answer). A prompt that encodes to nothing or to more positions than the model has
 * is named by its line and field.
 */
final class PromptEncoder {

    private final Function<String, int[]> encode;
    private final Path file;
    private final int maxPositions;

    /**
     * @param file         the prompt file, for messages
     * @param maxPositions the model's {@code max_position_embeddings}
     */
    PromptEncoder(Tokenizer tok, boolean chat, Path file, int maxPositions) {
        this.encode = encoder(tok, chat);
        this.file = file;
        this.maxPositions = maxPositions;
    }

    /** @throws IllegalArgumentException naming {@code file:line} and {@code field} */
    int[] encode(String text, int line, String field) {
        int[] ids = encode.apply(text);
        if (ids.length == 0)
            throw new IllegalArgumentException(file + ":" + line + ": " + field + " encodes to no tokens");
        if (ids.length > maxPositions)
            throw new IllegalArgumentException(file + ":" + line + ": " + field + " has " + ids.length
                    + " tokens, more than the model's " + maxPositions + " positions");
        return ids;
    }

    private static Function<String, int[]> encoder(Tokenizer tok, boolean chat) {
        if (!chat) return text -> tok.encode(text, true);
        ChatTemplate template = tok.chatTemplate().orElseThrow(() ->
                new IllegalArgumentException("--chat: the model's tokenizer has no chat template"));
        return text -> tok.encode(template.render(List.of(new ChatMessage("user", text)), true), false);
    }
}
