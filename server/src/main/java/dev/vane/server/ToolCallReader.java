package dev.vane.server;

import java.util.List;

/**
 * How a chat answer's tool calls are read: in the format the template teaches
 * ({@link ToolCalls#HERMES}, {@link ToolCalls#LLAMA3_JSON}), or, when {@code tool_choice} forced
 * them by constrained decoding ({@link ToolChoice}), as the JSON the constraint allowed: an array
 * of {@code {"name", "parameters"}} ({@link ToolCalls#REQUIRED}) or one named function's
 * arguments ({@link Named}).
 */
sealed interface ToolCallReader permits ToolCalls, ToolCallReader.Named {

    /** The answer's calls and the rest of its text. */
    ToolCalls.Parsed parse(String text);

    /** In a stream: where in the text so far a call may begin (held back from there), or -1. */
    int holdFrom(String text);

    /** {@code tool_choice} naming a function: the whole answer is that function's arguments. */
    record Named(String name) implements ToolCallReader {
        /** The arguments, when they are a whole JSON text (an answer cut by {@code max_tokens} stays content). */
        @Override
        public ToolCalls.Parsed parse(String text) {
            try {
                com.fasterxml.jackson.databind.JsonNode args = JsonBody.JSON.readTree(text.strip());
                if (args == null || args.isMissingNode()) return new ToolCalls.Parsed(text, List.of());
                return new ToolCalls.Parsed("", List.of(new ToolCalls.Call(name, args.toString())));
            } catch (java.io.IOException e) {
                return new ToolCalls.Parsed(text, List.of());
            }
        }

        @Override
        public int holdFrom(String text) {
            return 0;
        }
    }
}
