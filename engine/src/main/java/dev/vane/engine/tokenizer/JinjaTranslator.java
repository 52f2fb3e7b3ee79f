package dev.vane.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Rewrites Python-jinja2 template source into the dialect Jinjava parses, so HF chat templates
 * render the same. Only the text inside {@code {{ }}} and {@code {% %}} is touched:
 *
 * <ul>
 *   <li>line endings are normalised to {@code \n} and one trailing newline is dropped (jinja2's
 *       {@code keep_trailing_newline=False});
 *   <li>string literals are re-encoded: Python escapes ({@code \n}, {@code \t}, {@code \xNN},
 *       {@code \}{@code uNNNN}, ...) become the characters themselves, because Jinjava only knows
 *       {@code \\}, {@code \'} and {@code \"};
 *   <li>slices {@code x[a:b:c]} (Jinjava has no step, nor Python semantics) become
 *       {@code x[vane_slice(a, b, c)]}, resolved by {@link PyResolver};
 *   <li>{@code 'literal' % args} (printf-style formatting; Jinjava's {@code %} is only modulo) becomes
 *       {@code vane_format('literal', [args])}, a tuple operand giving several arguments;
 *   <li>keyword arguments {@code f(name=expr)} get their value parenthesised, because Jinjava binds
 *       {@code =} tighter than operators ({@code namespace(n=messages|length - 1)} would otherwise
 *       compute {@code (n=...) - 1}).
 * </ul>
 * {@code {# #}} comments and {@code {% raw %}} blocks are copied untouched.
 *
 * <p>It also applies jinja2's {@code lstrip_blocks} itself (Jinjava's version strips the whitespace
 * before any block tag, not only whitespace that starts a line): spaces and tabs between the start
 * of a line and a {@code {% %}} or {@code {# #}} tag are removed, unless the tag opens with
 * {@code {%+}}. A plus-sign marker closing a tag (keep the newline despite trim_blocks) is
 * dropped, so that newline is still trimmed.
 */
final class JinjaTranslator {
    /** Name of the slice function the rewritten source calls. */
    static final String SLICE_FUNCTION = "vane_slice";
    /** Name of the printf-style formatting function ({@code 'fmt' % args}) the rewritten source calls. */
    static final String FORMAT_FUNCTION = "vane_format";

    private static final Set<String> KEYWORDS =
            Set.of("and", "or", "not", "in", "is", "if", "else", "elif", "for", "set", "recursive", "with");

    private JinjaTranslator() {}

    static String translate(String source) {
        String src = source.replace("\r\n", "\n").replace('\r', '\n');
        if (src.endsWith("\n")) {
            src = src.substring(0, src.length() - 1);
        }
        StringBuilder out = new StringBuilder(src.length() + 64);
        int i = 0;
        int n = src.length();
        int textStart = 0; // where the template text since the last tag begins in out
        while (i < n) {
            if (src.startsWith("{#", i)) {
                int end = src.indexOf("#}", i + 2);
                if (end < 0) {
                    throw new ChatTemplateException("Unclosed comment at offset " + i);
                }
                if (src.charAt(i + 2) != '+') {
                    lstrip(out, textStart);
                }
                out.append(src, i, end + 2);
                i = end + 2;
                textStart = out.length();
            } else if (src.startsWith("{{", i) || src.startsWith("{%", i)) {
                boolean tag = src.charAt(i + 1) == '%';
                int end = findBlockEnd(src, i + 2, tag ? '%' : '}');
                String inner = src.substring(i + 2, end);
                if (tag && !inner.startsWith("+")) {
                    lstrip(out, textStart);
                }
                out.append(src, i, i + 2).append(translateBlock(inner)).append(src, end, end + 2);
                i = end + 2;
                if (tag && isRawStart(inner)) {
                    int rawEnd = findEndRaw(src, i);
                    out.append(src, i, rawEnd);
                    i = rawEnd;
                }
                textStart = out.length();
            } else {
                out.append(src.charAt(i++));
            }
        }
        return out.toString();
    }

    /**
     * jinja2's lstrip_blocks: drops the spaces and tabs that precede a block tag on its line, if
     * nothing else precedes it there (the text since the last tag holds a newline before them, or
     * the template starts with them).
     */
    private static void lstrip(StringBuilder out, int textStart) {
        int k = out.length();
        while (k > textStart && out.charAt(k - 1) != '\n' && PyValues.isSpace(out.charAt(k - 1))) {
            k--;
        }
        if (k == out.length()) {
            return;
        }
        boolean lineStart = k > textStart ? out.charAt(k - 1) == '\n' : textStart == 0;
        if (lineStart) {
            out.setLength(k);
        }
    }

    private static boolean isRawStart(String inner) {
        return stripMarkers(inner).strip().equals("raw");
    }

    private static String stripMarkers(String inner) {
        int a = 0;
        int b = inner.length();
        if (b > 0 && (inner.charAt(0) == '-' || inner.charAt(0) == '+')) {
            a++;
        }
        if (b > a && (inner.charAt(b - 1) == '-' || inner.charAt(b - 1) == '+')) {
            b--;
        }
        return inner.substring(a, b);
    }

    /** Index of the {@code {% endraw %}} tag that closes a raw block starting at {@code from}. */
    private static int findEndRaw(String src, int from) {
        var m = java.util.regex.Pattern.compile("\\{%[-+]?\\s*endraw\\s*[-+]?%}").matcher(src);
        if (!m.find(from)) {
            throw new ChatTemplateException("Unclosed {% raw %} block");
        }
        return m.start();
    }

    /** Finds the end of an expression or tag (the closer followed by a brace), skipping string literals. */
    private static int findBlockEnd(String src, int from, char closer) {
        int i = from;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipString(src, i);
                continue;
            }
            if (c == closer && i + 1 < n && src.charAt(i + 1) == '}') {
                return i;
            }
            i++;
        }
        throw new ChatTemplateException("Unclosed " + (closer == '%' ? "{%" : "{{") + " block at offset " + (from - 2));
    }

    private static int skipString(String s, int start) {
        char q = s.charAt(start);
        int i = start + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == q) {
                return i + 1;
            } else {
                i++;
            }
        }
        throw new ChatTemplateException("Unterminated string literal at offset " + start);
    }

    private static String translateBlock(String inner) {
        int a = 0;
        int b = inner.length();
        if (b > 0 && (inner.charAt(0) == '-' || inner.charAt(0) == '+')) {
            a++;
        }
        if (b > a && (inner.charAt(b - 1) == '-' || inner.charAt(b - 1) == '+')) {
            b--;
        }
        List<Tok> toks = lex(inner.substring(a, b));
        String open = inner.substring(0, a).replace("+", ""); // Jinjava knows only '-' markers
        String close = inner.substring(b).replace("+", "");
        return open + emit(toks, 0, toks.size()) + close;
    }

    // ------------------------------------------------------------------ lexing

    private enum Kind { SPACE, STRING, NAME, NUMBER, OP }

    private record Tok(Kind kind, String text, String value) {
        boolean is(String s) {
            return kind == Kind.OP && text.equals(s);
        }
    }

    private static List<Tok> lex(String s) {
        List<Tok> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            int start = i;
            if (Character.isWhitespace(c)) {
                while (i < n && Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
                out.add(new Tok(Kind.SPACE, s.substring(start, i), null));
            } else if (c == '\'' || c == '"') {
                i = skipString(s, i);
                out.add(new Tok(Kind.STRING, s.substring(start, i), unescape(s.substring(start + 1, i - 1))));
            } else if (Character.isLetter(c) || c == '_') {
                while (i < n && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                    i++;
                }
                out.add(new Tok(Kind.NAME, s.substring(start, i), null));
            } else if (Character.isDigit(c)) {
                while (i < n && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_'
                        || (s.charAt(i) == '.' && i + 1 < n && Character.isDigit(s.charAt(i + 1))))) {
                    i++;
                }
                out.add(new Tok(Kind.NUMBER, s.substring(start, i), null));
            } else {
                String two = i + 1 < n ? s.substring(i, i + 2) : "";
                if (two.equals("==") || two.equals("!=") || two.equals("<=") || two.equals(">=")
                        || two.equals("//") || two.equals("**")) {
                    i += 2;
                } else {
                    i++;
                }
                out.add(new Tok(Kind.OP, s.substring(start, i), null));
            }
        }
        return out;
    }

    /** Decodes a Python string literal body. */
    static String unescape(String body) {
        if (body.indexOf('\\') < 0) {
            return body;
        }
        StringBuilder sb = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 >= body.length()) {
                sb.append(c);
                continue;
            }
            char e = body.charAt(++i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case '0', '1', '2', '3', '4', '5', '6', '7' -> { // octal, up to three digits
                    int end = i;
                    while (end + 1 < body.length() && end - i < 2 && body.charAt(end + 1) >= '0'
                            && body.charAt(end + 1) <= '7') {
                        end++;
                    }
                    sb.append((char) Integer.parseInt(body.substring(i, end + 1), 8));
                    i = end;
                }
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'v' -> sb.append('\u000B');
                case '\\' -> sb.append('\\');
                case '\'' -> sb.append('\'');
                case '"' -> sb.append('"');
                case '\n' -> { } // line continuation
                case 'x' -> i = appendHex(sb, body, i, 2);
                case 'u' -> i = appendHex(sb, body, i, 4);
                case 'U' -> i = appendHex(sb, body, i, 8);
                default -> sb.append('\\').append(e); // Python keeps unknown escapes verbatim
            }
        }
        return sb.toString();
    }

    private static int appendHex(StringBuilder sb, String body, int at, int digits) {
        if (at + digits >= body.length()) {
            throw new ChatTemplateException("Truncated \\" + body.charAt(at) + " escape in string literal");
        }
        String hex = body.substring(at + 1, at + 1 + digits);
        try {
            sb.appendCodePoint(Integer.parseInt(hex, 16));
        } catch (IllegalArgumentException e) {
            throw new ChatTemplateException("Bad \\" + body.charAt(at) + " escape in string literal: " + hex);
        }
        return at + digits;
    }

    /** A literal Jinjava reads back as exactly {@code value}. */
    private static String literal(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    // ------------------------------------------------------------------ rewriting

    private static String emit(List<Tok> t, int from, int to) {
        StringBuilder sb = new StringBuilder();
        int i = from;
        while (i < to) {
            Tok tok = t.get(i);
            if (tok.kind == Kind.STRING) {
                int op = nextSignificant(t, i + 1, to);
                if (op >= 0 && t.get(op).is("%")) {
                    int[] rhs = operand(t, op + 1, to);
                    if (rhs != null) {
                        sb.append(FORMAT_FUNCTION).append('(').append(literal(tok.value)).append(", ")
                                .append(formatArgs(t, rhs[0], rhs[1])).append(')');
                        i = rhs[1];
                        continue;
                    }
                }
                sb.append(literal(tok.value));
                i++;
            } else if (tok.is("[")) {
                int close = matching(t, i, to);
                if (isSubscript(t, from, i) && topLevel(t, i + 1, close, ":").size() > 0) {
                    sb.append(slice(t, i + 1, close));
                } else {
                    sb.append('[').append(emit(t, i + 1, close)).append(']');
                }
                i = close + 1;
            } else if (tok.is("(")) {
                int close = matching(t, i, to);
                sb.append('(').append(arguments(t, i + 1, close)).append(')');
                i = close + 1;
            } else if (tok.is("{")) {
                int close = matching(t, i, to);
                sb.append('{').append(emit(t, i + 1, close)).append('}');
                i = close + 1;
            } else {
                sb.append(tok.text);
                i++;
            }
        }
        return sb.toString();
    }

    /**
     * The operand right of a {@code %}: a primary (name, literal, bracketed group) with its postfix
     * chain ({@code .attr}, {@code [i]}, {@code (args)}, {@code |filter(args)}), as [start, end) of
     * its significant tokens, or null if there is none.
     */
    private static int[] operand(List<Tok> t, int from, int to) {
        int i = nextSignificant(t, from, to);
        if (i < 0) {
            return null;
        }
        int start = i;
        Tok first = t.get(i);
        if (first.is("-") || first.is("+")) {
            i = nextSignificant(t, i + 1, to);
            if (i < 0) {
                return null;
            }
            first = t.get(i);
        }
        if (first.is("(") || first.is("[") || first.is("{")) {
            i = matching(t, i, to) + 1;
        } else if (first.kind == Kind.NAME || first.kind == Kind.NUMBER || first.kind == Kind.STRING) {
            if (first.kind == Kind.NAME && KEYWORDS.contains(first.text)) {
                return null;
            }
            i++;
        } else {
            return null;
        }
        while (true) {
            int k = nextSignificant(t, i, to);
            if (k < 0) {
                break;
            }
            Tok p = t.get(k);
            if (p.is(".") || p.is("|")) {
                int name = nextSignificant(t, k + 1, to);
                if (name < 0 || t.get(name).kind != Kind.NAME) {
                    break;
                }
                i = name + 1;
            } else if (p.is("[") || p.is("(")) {
                i = matching(t, k, to) + 1;
            } else {
                break;
            }
        }
        return new int[] {start, i};
    }

    /** The argument of {@code vane_format}: a tuple literal becomes a list, a dict literal stays, else [x]. */
    private static String formatArgs(List<Tok> t, int from, int to) {
        Tok first = t.get(from);
        if (first.is("(") && matching(t, from, to) == to - 1 && !topLevel(t, from + 1, to - 1, ",").isEmpty()) {
            return "[" + emit(t, from + 1, to - 1) + "]";
        }
        if (first.is("{") && matching(t, from, to) == to - 1) {
            return emit(t, from, to);
        }
        return "[" + emit(t, from, to) + "]";
    }

    /** Rewrites a call's (or a parenthesised group's) contents, parenthesising keyword-argument values. */
    private static String arguments(List<Tok> t, int from, int to) {
        List<Integer> commas = topLevel(t, from, to, ",");
        StringBuilder sb = new StringBuilder();
        int start = from;
        for (int k = 0; k <= commas.size(); k++) {
            int end = k < commas.size() ? commas.get(k) : to;
            int name = nextSignificant(t, start, end);
            int eq = name < 0 ? -1 : nextSignificant(t, name + 1, end);
            if (name >= 0 && eq >= 0 && t.get(name).kind == Kind.NAME && t.get(eq).is("=")
                    && significantCount(t, eq + 1, end) > 1) {
                sb.append(emit(t, start, eq + 1)).append('(').append(emit(t, eq + 1, end)).append(')');
            } else {
                sb.append(emit(t, start, end));
            }
            if (k < commas.size()) {
                sb.append(',');
                start = end + 1;
            }
        }
        return sb.toString();
    }

    private static String slice(List<Tok> t, int from, int to) {
        List<Integer> colons = topLevel(t, from, to, ":");
        if (colons.size() > 2) {
            throw new ChatTemplateException("Bad slice: " + join(t, from, to));
        }
        String[] parts = {"none", "none", "none"};
        int start = from;
        for (int k = 0; k <= colons.size(); k++) {
            int end = k < colons.size() ? colons.get(k) : to;
            if (significantCount(t, start, end) > 0) {
                parts[k] = emit(t, start, end).strip();
            }
            start = end + 1;
        }
        return "[" + SLICE_FUNCTION + "(" + parts[0] + ", " + parts[1] + ", " + parts[2] + ")]";
    }

    /** Whether a {@code [} at {@code i} subscripts the value before it (rather than opening a list literal). */
    private static boolean isSubscript(List<Tok> t, int from, int i) {
        for (int k = i - 1; k >= from; k--) {
            Tok p = t.get(k);
            if (p.kind == Kind.SPACE) {
                continue;
            }
            return switch (p.kind) {
                case NAME -> !KEYWORDS.contains(p.text);
                case STRING -> true;
                case OP -> p.is(")") || p.is("]") || p.is("}");
                default -> false;
            };
        }
        return false;
    }

    private static int matching(List<Tok> t, int open, int to) {
        int depth = 0;
        for (int k = open; k < to; k++) {
            Tok tok = t.get(k);
            if (tok.is("(") || tok.is("[") || tok.is("{")) {
                depth++;
            } else if (tok.is(")") || tok.is("]") || tok.is("}")) {
                depth--;
                if (depth == 0) {
                    return k;
                }
            }
        }
        throw new ChatTemplateException("Unbalanced '" + t.get(open).text + "' in expression: " + join(t, open, to));
    }

    /** Positions of {@code op} tokens not nested in brackets within [from, to). */
    private static List<Integer> topLevel(List<Tok> t, int from, int to, String op) {
        List<Integer> out = new ArrayList<>();
        int depth = 0;
        for (int k = from; k < to; k++) {
            Tok tok = t.get(k);
            if (tok.is("(") || tok.is("[") || tok.is("{")) {
                depth++;
            } else if (tok.is(")") || tok.is("]") || tok.is("}")) {
                depth--;
            } else if (depth == 0 && tok.is(op)) {
                out.add(k);
            }
        }
        return out;
    }

    private static int nextSignificant(List<Tok> t, int from, int to) {
        for (int k = from; k < to; k++) {
            if (t.get(k).kind != Kind.SPACE) {
                return k;
            }
        }
        return -1;
    }

    private static int significantCount(List<Tok> t, int from, int to) {
        int c = 0;
        for (int k = from; k < to; k++) {
            if (t.get(k).kind != Kind.SPACE) {
                c++;
            }
        }
        return c;
    }

    private static String join(List<Tok> t, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int k = from; k < to; k++) {
            sb.append(t.get(k).text);
        }
        return sb.toString();
    }
}
