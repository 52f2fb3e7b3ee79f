package dev.vane.lab.tokenizer;

/**
 * The chat template written for a trained tokenizer. A conversation renders as
 *
 * <pre>
 * BOS SYSTEM "\n" content END "\n" USER "\n" content END "\n" ASSISTANT "\n" content END "\n" ...
 * </pre>
 *
 * <p>with the role markers and {@code END} the special tokens of {@link SpecialTokens}; with
 * {@code add_generation_prompt} it ends with {@code ASSISTANT "\n"}, so the model continues with the
 * reply and closes it with {@code END}. Other roles raise an error. Content is inserted unchanged.
 * As with Llama 3, the template writes the BOS token itself, so encode its output without adding
 * special tokens.
 */
final class SimpleChatTemplate {
    private SimpleChatTemplate() {}

    /** @return the Jinja source for the given special tokens */
    static String source(SpecialTokens t) {
        return "{{- bos_token }}\n"
                + "{%- for message in messages %}\n"
                + "    {%- if message['role'] == 'system' %}\n"
                + "        {{- " + literal(t.system()) + " }}\n"
                + "    {%- elif message['role'] == 'user' %}\n"
                + "        {{- " + literal(t.user()) + " }}\n"
                + "    {%- elif message['role'] == 'assistant' %}\n"
                + "        {{- " + literal(t.assistant()) + " }}\n"
                + "    {%- else %}\n"
                + "        {{- raise_exception('Unknown role: ' + message['role']) }}\n"
                + "    {%- endif %}\n"
                + "    {{- '\\n' + message['content'] + " + literal(t.end()) + " + '\\n' }}\n"
                + "{%- endfor %}\n"
                + "{%- if add_generation_prompt %}\n"
                + "    {{- " + literal(t.assistant()) + " + '\\n' }}\n"
                + "{%- endif %}\n";
    }

    /** @return {@code s} as a single-quoted Jinja string literal */
    static String literal(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('\'');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\'' -> sb.append("\\'");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }
}
