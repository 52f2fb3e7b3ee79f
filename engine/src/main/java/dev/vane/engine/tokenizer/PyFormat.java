package dev.vane.engine.tokenizer;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Python's printf-style string formatting, {@code 'fmt' % args}, for the {@code vane_format} template function. */
final class PyFormat {
    private PyFormat() {}

    /**
     * @param fmt the format string
     * @param args a list of positional arguments, or a map for {@code %(name)s} fields
     */
    public static String format(Object fmt, Object args) {
        String f = PyValues.str(fmt);
        Map<?, ?> named = args instanceof Map<?, ?> m ? m : null;
        List<Object> positional = named == null ? PyValues.asList(args) : null;
        if (named == null && positional == null) {
            positional = List.of(args);
        }
        StringBuilder sb = new StringBuilder();
        int next = 0;
        int i = 0;
        while (i < f.length()) {
            char c = f.charAt(i++);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            if (i >= f.length()) {
                throw new ChatTemplateException("incomplete format");
            }
            Object value;
            boolean keyed = false;
            if (f.charAt(i) == '(') {
                int close = f.indexOf(')', i);
                if (close < 0 || named == null) {
                    throw new ChatTemplateException("format requires a mapping");
                }
                value = named.get(f.substring(i + 1, close));
                keyed = true;
                i = close + 1;
            } else {
                value = null;
            }
            int specStart = i;
            while (i < f.length() && "-+ #0".indexOf(f.charAt(i)) >= 0) {
                i++;
            }
            while (i < f.length() && (Character.isDigit(f.charAt(i)) || f.charAt(i) == '.')) {
                i++;
            }
            if (i >= f.length()) {
                throw new ChatTemplateException("incomplete format");
            }
            String flags = f.substring(specStart, i);
            char conv = f.charAt(i++);
            if (conv == '%') {
                sb.append('%');
                continue;
            }
            if (!keyed) {
                if (positional == null || next >= positional.size()) {
                    throw new ChatTemplateException("not enough arguments for format string");
                }
                value = positional.get(next++);
            }
            sb.append(convert(flags, conv, value));
        }
        if (positional != null && next < positional.size()) {
            throw new ChatTemplateException("not all arguments converted during string formatting");
        }
        return sb.toString();
    }

    private static String convert(String flags, char conv, Object value) {
        String javaFlags = flags.replace("#", "");
        switch (conv) {
            case 's', 'r', 'a' -> {
                String s = conv == 's' ? (value == null ? "None" : PyValues.str(value)) : PyValues.repr(value);
                int dot = javaFlags.indexOf('.');
                if (dot >= 0) {
                    int precision = Integer.parseInt(javaFlags.substring(dot + 1).isEmpty() ? "0"
                            : javaFlags.substring(dot + 1));
                    s = s.substring(0, Math.min(s.length(), precision));
                    javaFlags = javaFlags.substring(0, dot);
                }
                return javaFlags.isEmpty() ? s : String.format(Locale.ROOT, "%" + javaFlags.replace("0", "") + "s", s);
            }
            case 'd', 'i', 'u' -> {
                return String.format(Locale.ROOT, "%" + javaFlags + "d", toLong(value));
            }
            case 'x', 'X', 'o' -> {
                return String.format(Locale.ROOT, "%" + flags + conv, toLong(value));
            }
            case 'f', 'F', 'e', 'E', 'g', 'G' -> {
                double d = value instanceof Number n ? n.doubleValue() : Double.parseDouble(PyValues.str(value));
                return String.format(Locale.ROOT, "%" + javaFlags + (conv == 'F' ? 'f' : conv), d);
            }
            case 'c' -> {
                return value instanceof Number n ? Character.toString(n.intValue()) : PyValues.str(value);
            }
            default -> throw new ChatTemplateException("unsupported format character '" + conv + "'");
        }
    }

    private static long toLong(Object value) {
        if (value instanceof Number n) {
            return n.longValue();
        }
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        throw new ChatTemplateException("%d format: a number is required, not " + PyValues.repr(value));
    }
}
