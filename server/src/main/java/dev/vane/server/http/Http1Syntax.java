package dev.vane.server.http;

/** The pieces of RFC 9110 / 9112 grammar that request framing checks. */
final class Http1Syntax {

    private Http1Syntax() {}

    /** {@code tchar}: the characters of a token. */
    static boolean isTokenChar(char c) {
        return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    /** {@code field-name ":" OWS field-value OWS}, with no space before the colon. */
    static boolean isFieldLine(String line) {
        int colon = line.indexOf(':');
        if (colon <= 0) return false;
        for (int i = 0; i < colon; i++)
            if (!isTokenChar(line.charAt(i))) return false;
        for (int i = colon + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c != '\t' && (c < 0x20 || c == 0x7f)) return false;
        }
        return true;
    }

    /** {@code 1*DIGIT} as a number, or null when it is not one or too large for a long. */
    static Long digits(String s) {
        if (s.isEmpty() || s.length() > 18) return null;
        for (int i = 0; i < s.length(); i++)
            if (s.charAt(i) < '0' || s.charAt(i) > '9') return null;
        return Long.parseLong(s);
    }

    /**
     * The size of a chunk from its size line {@code 1*HEXDIG *( BWS ";" BWS ext-name [ BWS "=" BWS
     * ext-value ] )} (RFC 9112 §7.1.1; extensions are valid and ignored); -1 when malformed,
     * {@link Long#MAX_VALUE} when too large for a long.
     */
    static long chunkSize(String line) {
        int i = 0, n = line.length();
        long size = 0;
        boolean overflow = false;
        while (i < n && Character.digit(line.charAt(i), 16) >= 0 && line.charAt(i) < 0x80) {
            if (size > (Long.MAX_VALUE >> 4)) overflow = true;
            size = (size << 4) | Character.digit(line.charAt(i), 16);
            i++;
        }
        if (i == 0) return -1;
        while (i < n) {
            i = whitespace(line, i);
            if (i >= n || line.charAt(i) != ';') return -1;
            i = whitespace(line, i + 1);
            int name = i;
            while (i < n && isTokenChar(line.charAt(i))) i++;
            if (i == name) return -1;
            int afterName = whitespace(line, i);
            if (afterName < n && line.charAt(afterName) == '=') {
                i = whitespace(line, afterName + 1);
                i = i < n && line.charAt(i) == '"' ? quotedString(line, i) : token(line, i);
                if (i < 0) return -1;
            }
        }
        return overflow ? Long.MAX_VALUE : size;
    }

    private static int whitespace(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
        return i;
    }

    private static int token(String s, int i) {
        int start = i;
        while (i < s.length() && isTokenChar(s.charAt(i))) i++;
        return i == start ? -1 : i;
    }

    /** The index after a quoted-string starting at {@code i} (a {@code "}), or -1. */
    private static int quotedString(String s, int i) {
        for (i = i + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') return i + 1;
            if (c == '\\') {
                if (++i >= s.length()) return -1;
                c = s.charAt(i);
                if (c != '\t' && (c < 0x20 || c == 0x7f)) return -1;
            } else if (c != '\t' && (c < 0x20 || c == 0x7f)) {
                return -1;
            }
        }
        return -1;
    }
}
