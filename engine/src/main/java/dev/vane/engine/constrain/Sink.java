package dev.vane.engine.constrain;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Collects the configurations one byte leads to, without duplicates. At most
 * {@value #MAX_READINGS} at once: overlapping {@code anyOf} alternatives can multiply the readings
 * of a prefix with every byte (2ⁿ after n brackets), and each one costs every later byte and mask
 * walk; beyond the bound the grammar is refused ({@link AmbiguousGrammarException}).
 */
final class Sink {
    /** The most configurations one state may hold. */
    static final int MAX_READINGS = 64;

    private Stack one;
    private LinkedHashSet<Stack> more;

    void reset() {
        one = null;
        if (more != null) more.clear();
    }

    void add(Stack s) {
        if (one == null) {
            one = s;
            return;
        }
        if (one.equals(s)) return;
        if (more == null) more = new LinkedHashSet<>(8);
        if (more.add(s) && more.size() + 1 > MAX_READINGS) throw new AmbiguousGrammarException(MAX_READINGS);
    }

    /** Nothing ({@code null}), the one stack, or the {@link Alternatives}. */
    MatchState result() {
        if (one == null) return null;
        if (more == null || more.isEmpty()) return one;
        Set<Stack> all = new LinkedHashSet<>(more.size() + 1);
        all.add(one);
        all.addAll(more);
        return new Alternatives(Set.copyOf(all));
    }
}
