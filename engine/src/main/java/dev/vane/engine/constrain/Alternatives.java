package dev.vane.engine.constrain;

import java.util.Set;

/**
 * Several configurations at once, where an {@code anyOf} (or a value of several types) has
 * alternatives that read the same bytes so far; a byte keeps those that admit it. Value equality (as sets).
 */
final class Alternatives implements MatchState {
    final Set<Stack> stacks;

    Alternatives(Set<Stack> stacks) {
        this.stacks = stacks;
    }

    @Override
    public MatchState next(int b) {
        return next(b, new Sink());
    }

    MatchState next(int b, Sink out) {
        out.reset();
        for (Stack s : stacks) if (s.top != null) s.top.feed(b, s, out);
        return out.result();
    }

    @Override
    public boolean accepting() {
        for (Stack s : stacks) if (s.accepting()) return true;
        return false;
    }

    @Override
    public int hashCode() {
        return stacks.hashCode();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Alternatives a && a.stacks.equals(stacks);
    }

    @Override
    public String toString() {
        return "any of " + stacks;
    }
}
