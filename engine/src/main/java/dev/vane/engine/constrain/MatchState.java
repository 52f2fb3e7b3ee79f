package dev.vane.engine.constrain;

/**
 * An immutable state of a byte-level JSON matcher ({@link Grammar#initial()}): the bytes read so far
 * are a prefix of some JSON text the grammar admits. States have value equality (equal states admit
 * the same continuations), so they key caches.
 */
public sealed interface MatchState permits Stack, Alternatives {

    /** The state after one more byte ({@code 0..255}), or {@code null} if no admitted text continues so. */
    MatchState next(int b);

    /** The state after {@code bytes}, or {@code null} if one of them is rejected. */
    default MatchState next(byte[] bytes) {
        MatchState s = this;
        for (int i = 0; i < bytes.length && s != null; i++) s = s.next(bytes[i] & 0xFF);
        return s;
    }

    /** Whether the bytes read so far are a complete admitted JSON text. */
    boolean accepting();

    /** Whether the text is complete and no byte may follow it (an object, array, string or literal at the root). */
    default boolean terminal() {
        if (!accepting()) return false;
        for (int b = 0; b < 256; b++) if (next(b) != null) return false;
        return true;
    }
}
