package dev.vane.engine.generate;

import java.util.List;
import java.util.Objects;

/**
 * Finds stop strings in text that arrives in pieces (one detokenised piece per generated token), where
 * a stop string may straddle any number of pieces.
 *
 * <p>{@link #offer} returns the text that is safe to stream now. It holds back the longest suffix of
 * the text seen so far that is a proper prefix of some stop string (it might become a stop string), and
 * releases it as soon as it can no longer. When a stop string is completed, the text from the earliest
 * completed stop string on is dropped, the result says {@link Result#stopped() stopped}, and the
 * matcher is finished. {@link #flush()} releases held-back text at the end of generation.
 *
 * <p>Invariant: the concatenation of all returned text (from {@code offer} and {@code flush}) equals the
 * concatenation of all offered text truncated just before the earliest occurrence of any stop string
 * (all of it if there is none). When several stop strings occur, the one starting first wins; among
 * those starting at the same index, the shortest.
 *
 * <p>Work per piece is O((held + piece length) · total stop length); the held-back text is always
 * shorter than the longest stop string. Matching is on UTF-16 {@code char}s; a held-back boundary never
 * splits a surrogate pair. Not thread-safe; one instance per sequence.
 */
public final class StopStringMatcher {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;
    private String matched;

    /**
     * What {@link #offer} releases.
     *
     * @param text text now safe to emit, possibly empty; never contains a stop string
     * @param stopped whether a stop string was completed (generation should stop)
     * @param matchedStop the stop string that was hit, or {@code null} if none
     */
    public record Result(String text, boolean stopped, String matchedStop) {
        public Result {
            Objects.requireNonNull(text, "text");
            if (stopped != (matchedStop != null)) {
                throw new IllegalArgumentException("matchedStop must be non-null exactly when stopped");
            }
        }
    }

    /**
     * @param stops stop strings, each non-empty (e.g. {@link SamplingParams#stop()}); may be empty
     */
    public StopStringMatcher(List<String> stops) {
        for (String s : stops) {
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must be non-empty");
            }
        }
        this.stops = List.copyOf(stops);
    }

    /**
     * Consumes the next piece of generated text.
     *
     * @return the text that can be emitted now and whether a stop string was hit; after a hit, further
     *         calls return empty text with {@code stopped == true}
     */
    public Result offer(String newText) {
        Objects.requireNonNull(newText, "newText");
        if (stopped) {
            return new Result("", true, matched);
        }
        if (stops.isEmpty()) {
            return new Result(newText, false, null);
        }
        pending.append(newText);

        int earliest = -1;
        String hit = null;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (earliest < 0 || at < earliest || (at == earliest && stop.length() < hit.length()))) {
                earliest = at;
                hit = stop;
            }
        }
        if (hit != null) {
            String text = pending.substring(0, earliest);
            pending.setLength(0);
            stopped = true;
            matched = hit;
            return new Result(text, true, hit);
        }

        int safe = pending.length() - heldBackLength();
        if (safe > 0 && Character.isHighSurrogate(pending.charAt(safe - 1))) {
            safe--; // keep a surrogate pair together
        }
        String text = pending.substring(0, safe);
        pending.delete(0, safe);
        return new Result(text, false, null);
    }

    /**
     * Ends the stream: returns the held-back text (empty after a stop string was hit).
     */
    public String flush() {
        String text = pending.toString();
        pending.setLength(0);
        return text;
    }

    /** Whether a stop string has been hit. */
    public boolean stopped() {
        return stopped;
    }

    /** Length of the longest suffix of {@code pending} that is a proper prefix of a stop string. */
    private int heldBackLength() {
        int held = 0;
        int len = pending.length();
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, len); k > held; k--) {
                if (endsWithPrefix(stop, k, len)) {
                    held = k;
                    break;
                }
            }
        }
        return held;
    }

    /** Whether {@code pending} ends with the first {@code k} chars of {@code stop}. */
    private boolean endsWithPrefix(String stop, int k, int len) {
        int offset = len - k;
        for (int i = 0; i < k; i++) {
            if (pending.charAt(offset + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
