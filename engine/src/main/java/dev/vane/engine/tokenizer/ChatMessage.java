package dev.vane.engine.tokenizer;

import java.util.Objects;

/**
 * One chat turn as seen by a chat template: {@code message.role} and {@code message.content}.
 *
 * @param role the speaker, e.g. {@code system}, {@code user}, {@code assistant}, {@code tool}
 * @param content the message text
 */
public record ChatMessage(String role, String content) {
    /** Validates that both fields are present. */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    /** @return a system message */
    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    /** @return a user message */
    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    /** @return an assistant message */
    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
