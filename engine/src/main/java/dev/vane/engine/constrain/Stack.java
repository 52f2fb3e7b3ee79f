package dev.vane.engine.constrain;

import java.util.Objects;

/**
 * One configuration of the pushdown matcher: an immutable stack of {@link Frame}s, the innermost
 * value being read on top. {@link #EMPTY} is the finished text. Value equality, hash cached.
 */
final class Stack implements MatchState {
    /** The stack below the root value: once the root pops, the text is complete. */
    static final Stack EMPTY = new Stack(null, null, 1);
    /**
     * The unknown rest below a frame whose tokens are cached on their own ({@link ConstrainedVocabulary}):
     * a frame popping onto it yields {@link #EXIT_CONSUMED} or {@link #EXIT_REFEED}.
     */
    static final Stack HOLE = new Stack(null, null, 2);
    /** The frame above {@link #HOLE} completed with the byte it read. */
    static final Stack EXIT_CONSUMED = new Stack(null, null, 3);
    /** The frame above {@link #HOLE} completed before the byte, which its parent must read. */
    static final Stack EXIT_REFEED = new Stack(null, null, 4);

    final Frame top;
    final Stack rest;
    private final int hash;

    private Stack(Frame top, Stack rest, int hash) {
        this.top = top;
        this.rest = rest;
        this.hash = hash;
    }

    Stack push(Frame f) {
        return new Stack(f, this, 31 * hash + f.hashCode());
    }

    boolean isExit() {
        return this == EXIT_CONSUMED || this == EXIT_REFEED;
    }

    @Override
    public MatchState next(int b) {
        if (top == null) return null;
        Sink out = new Sink();
        top.feed(b, this, out);
        return out.result();
    }

    /** {@link #next} into a caller's sink (reset first), for the trie walks. */
    MatchState next(int b, Sink out) {
        if (top == null) return null;
        out.reset();
        top.feed(b, this, out);
        return out.result();
    }

    @Override
    public boolean accepting() {
        return this == EMPTY || (rest == EMPTY && top.canEnd());
    }

    @Override
    public boolean terminal() {
        return this == EMPTY || MatchState.super.terminal();
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Stack s) || s.hash != hash) return false;
        Stack a = this;
        while (a != s) {
            if (a.top == null || s.top == null || !a.top.equals(s.top)) return false;
            a = a.rest;
            s = s.rest;
            if (a.hash != s.hash) return false;
        }
        return true;
    }

    @Override
    public String toString() {
        if (this == EMPTY) return "[]";
        if (top == null) return this == HOLE ? "[hole]" : this == EXIT_CONSUMED ? "[exit]" : "[exit+byte]";
        StringBuilder sb = new StringBuilder("[");
        for (Stack s = this; s.top != null; s = s.rest) sb.append(s == this ? "" : " | ").append(s.top);
        return sb.append(']').toString();
    }

    static String describe(Stack s) {
        return Objects.toString(s);
    }
}
