package dev.vane.lab.data;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Optional additions to the training text of the chat part ({@code data demo --chat-extras}); the
 * held-out requests are the same with or without them.
 */
public enum ChatExtra {
    /** The training-only request forms of {@link ChatPairedFrames}, each with every benign and every harmful activity. */
    PAIRED_FORMS("paired-forms"),
    /** A polite closing ({@link ChatDialogues#CLOSINGS}) on a third of the training requests, in every family alike. */
    CLOSINGS("closings");

    private final String label;

    ChatExtra(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Comma-separated labels ({@code paired-forms,closings}); an empty string is none. */
    public static Set<ChatExtra> parse(String list) {
        Set<ChatExtra> out = EnumSet.noneOf(ChatExtra.class);
        for (String part : list.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            out.add(Arrays.stream(values()).filter(e -> e.label.equals(p)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                    "--chat-extras: unknown extra '" + p + "' (one of " + Arrays.stream(values()).map(ChatExtra::label)
                            .collect(Collectors.joining(", ")) + ")")));
        }
        return out;
    }
}
