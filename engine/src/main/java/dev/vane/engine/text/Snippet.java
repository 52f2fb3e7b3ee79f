package dev.vane.engine.text;

/**
 * A short, printable excerpt of client input for an error message: an error names the field and
 * the problem and may quote the value, but never echoes kilobytes of it back (nor control
 * characters that would garble a log line).
 */
public final class Snippet {

    /** Characters of input an error message quotes before cutting it off. */
    public static final int MAX = 40;

    private Snippet() {}

    /** At most {@link #MAX} characters of {@code text}, control characters escaped, "…" when cut. */
    public static String of(String text) {
        return of(text, MAX);
    }

    /** At most {@code max} characters of {@code text}, control characters escaped, "…" when cut. */
    public static String of(String text, int max) {
        if (text == null) return "null";
        StringBuilder b = new StringBuilder(Math.min(text.length(), max) + 8);
        int i = 0;
        for (; i < text.length() && b.length() < max; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) b.append(String.format("\\u%04x", (int) c));
            else if (Character.isHighSurrogate(c) && i + 1 < text.length() && b.length() + 2 > max) break;
            else b.append(c);
        }
        if (i < text.length()) b.append('…');
        return b.toString();
    }
}
