package dev.vane.engine.constrain;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;

/** Collects the configurations one byte leads to, without duplicates. */
final class Sink {
    private Stack one;
    private ArrayList<Stack> more;

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
        if (more == null) more = new ArrayList<>(4);
        for (Stack m : more) if (m.equals(s)) return;
        more.add(s);
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
