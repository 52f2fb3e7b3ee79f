package dev.vane.engine.constrain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fewest bytes that complete a document from a matcher state: a shortest-path search over the
 * distinct states bytes lead to (a string's characters all lead to one state, so few are met). A
 * number is the exception, each digit string its own state (its bounds read the digits); since what
 * follows a whole number does not depend on its digits, the search takes a whole number's way out at
 * once and an unfinished number's shortest completion within its bounds as one step of that many
 * bytes ({@link #digits}). A search that expands more than {@value #MAX_STATES} states or goes deeper
 * than {@value #MAX_DEPTH} bytes gives up: {@link #UNKNOWN}.
 */
final class Closing {
    /** No completion found within the search's bounds. */
    static final int UNKNOWN = Integer.MAX_VALUE;
    static final int MAX_STATES = 20_000;
    static final int MAX_DEPTH = 4096;
    private static final String NUMBER_CHARS = "-.0123456789";

    private Closing() {}

    /** The length of the shortest byte string after which {@code state} is accepting (0 if it is), or {@link #UNKNOWN}. */
    static int bytes(MatchState state) {
        Map<MatchState, Integer> best = new HashMap<>();
        List<List<MatchState>> at = new ArrayList<>(); // at.get(d): states first reached with d bytes
        best.put(state, 0);
        at.add(new ArrayList<>(List.of(state)));
        int expanded = 0;
        for (int d = 0; d < at.size() && d <= MAX_DEPTH; d++) {
            for (MatchState s : at.get(d)) {
                if (best.get(s) < d) continue;
                if (s.accepting()) return d;
                if (++expanded > MAX_STATES) return UNKNOWN;
                Frame.NumFrame number = s instanceof Stack st && st.top instanceof Frame.NumFrame n ? n : null;
                if (number != null && !number.complete()) {
                    String rest = digits(number.node(), number.prefix());
                    if (rest != null) reach(s.next(rest.getBytes(StandardCharsets.US_ASCII)), d + rest.length(), best, at);
                    continue;
                }
                for (int b = 0; b < 256; b++) {
                    if (number != null && NUMBER_CHARS.indexOf(b) >= 0) continue; // more digits only lengthen the way out
                    reach(s.next(b), d + 1, best, at);
                }
            }
        }
        return UNKNOWN;
    }

    private static void reach(MatchState q, int d, Map<MatchState, Integer> best, List<List<MatchState>> at) {
        if (q == null) return;
        Integer old = best.get(q);
        if (old != null && old <= d) return;
        best.put(q, d);
        while (at.size() <= d) at.add(new ArrayList<>());
        at.get(d).add(q);
    }

    /**
     * The fewest characters that make {@code prefix} a whole number {@code node} admits, or null. The
     * numbers of one length within bounds are an interval, so each prefix is extended only by its
     * smallest and its largest feasible character ({@code -} and {@code .} kept too): the search stays
     * two-wide however far the bounds are from the prefix.
     */
    static String digits(Node.Num node, String prefix) {
        List<String> level = List.of("");
        for (int depth = 1; depth <= node.intDigits + node.fracDigits + 2 && !level.isEmpty(); depth++) {
            List<String> next = new ArrayList<>();
            for (String tail : level) {
                String p = prefix + tail;
                int lowest = -1, highest = -1;
                for (int i = 0; i < NUMBER_CHARS.length(); i++) {
                    char c = NUMBER_CHARS.charAt(i);
                    if (!node.syntaxAllows(p, c) || !node.feasible(p + c)) continue;
                    if (node.complete(p + c)) return tail + c;
                    if (c == '-' || c == '.') next.add(tail + c);
                    else {
                        if (lowest < 0) lowest = c;
                        highest = c;
                    }
                }
                if (lowest >= 0) next.add(tail + (char) lowest);
                if (highest > lowest) next.add(tail + (char) highest);
            }
            level = next.size() > 64 ? next.subList(0, 64) : next;
        }
        return null;
    }
}
