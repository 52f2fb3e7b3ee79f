package dev.vane.engine.tokenizer;

import com.hubspot.jinjava.el.ext.NamedParameter;
import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Gives Jinjava the Python behaviour HF chat templates rely on: {@code str} methods
 * ({@code .startswith()}, {@code .split()}, {@code .strip(chars)}, ...), {@code dict} methods
 * ({@code .items()}, {@code .get(k, d)}, ...), string indexing and slices with a step
 * ({@link Slice}, produced by the {@code vane_slice} function that {@link JinjaTranslator} writes).
 * Anything it does not handle falls through to Jinjava's own resolvers.
 */
final class PyResolver extends ELResolver {

    /**
     * A Python slice {@code [start:stop:step]}; null parts are omitted ones. Jinjava stringifies
     * subscript values before they reach a resolver, so the {@code vane_slice} function returns the
     * slice encoded as a marker string ({@link #encode()}) that {@link #decode(Object)} reads back.
     */
    record Slice(Long start, Long stop, Long step) {
        private static final String MARKER = "\u0000vane_slice:";

        /** The {@code vane_slice(start, stop, step)} template function: the encoded slice. */
        public static String of(Object start, Object stop, Object step) {
            return new Slice(toLong(start), toLong(stop), toLong(step)).encode();
        }

        String encode() {
            return MARKER + start + ":" + stop + ":" + step;
        }

        /** @return the slice a subscript value encodes, or null if it is not one */
        static Slice decode(Object property) {
            if (!(property instanceof String s) || !s.startsWith(MARKER)) {
                return null;
            }
            String[] parts = s.substring(MARKER.length()).split(":", -1);
            return new Slice(parse(parts[0]), parse(parts[1]), parse(parts[2]));
        }

        private static Long parse(String s) {
            return "null".equals(s) ? null : Long.valueOf(s);
        }

        private static Long toLong(Object o) {
            if (o == null) {
                return null;
            }
            if (o instanceof Number n) {
                return n.longValue();
            }
            throw new ChatTemplateException("slice indices must be integers or None, got " + PyValues.repr(o));
        }

        /** CPython's PySlice_AdjustIndices: the indices this slice selects from a sequence of length n. */
        int[] indices(int n) {
            long st = step == null ? 1 : step;
            if (st == 0) {
                throw new ChatTemplateException("slice step cannot be zero");
            }
            long lo;
            long hi;
            if (st > 0) {
                lo = start == null ? 0 : clamp(start, n, 0, n);
                hi = stop == null ? n : clamp(stop, n, 0, n);
            } else {
                lo = start == null ? n - 1 : clamp(start, n, -1, n - 1);
                hi = stop == null ? -1 : clamp(stop, n, -1, n - 1);
            }
            List<Integer> out = new ArrayList<>();
            if (st > 0) {
                for (long i = lo; i < hi; i += st) {
                    out.add((int) i);
                }
            } else {
                for (long i = lo; i > hi; i += st) {
                    out.add((int) i);
                }
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        }

        private static long clamp(long i, int n, long min, long max) {
            if (i < 0) {
                i += n;
                if (i < 0) {
                    return min;
                }
            }
            return Math.min(i, max);
        }
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        if (base == null) {
            return null;
        }
        Slice slice = Slice.decode(property);
        if (slice != null) {
            Object result = slice(base, slice);
            if (result != null) {
                context.setPropertyResolved(true);
            }
            return result;
        }
        Long index = property instanceof Number n ? Long.valueOf(n.longValue()) : parseIndex(property);
        if (base instanceof CharSequence s && index != null) {
            int[] cps = s.toString().codePoints().toArray();
            long i = index;
            if (i < 0) {
                i += cps.length;
            }
            context.setPropertyResolved(true);
            if (i < 0 || i >= cps.length) {
                throw new ChatTemplateException("string index out of range");
            }
            return new String(cps, (int) i, 1);
        }
        return null;
    }

    private static Long parseIndex(Object property) {
        if (property instanceof String s && !s.isEmpty() && s.length() < 19
                && s.chars().skip(s.charAt(0) == '-' ? 1 : 0).allMatch(Character::isDigit) && !s.equals("-")) {
            return Long.valueOf(s);
        }
        return null;
    }

    private static Object slice(Object base, Slice slice) {
        if (base instanceof CharSequence s) {
            int[] cps = s.toString().codePoints().toArray();
            StringBuilder sb = new StringBuilder();
            for (int i : slice.indices(cps.length)) {
                sb.appendCodePoint(cps[i]);
            }
            return sb.toString();
        }
        List<Object> list = PyValues.asList(base);
        if (list == null) {
            return null;
        }
        List<Object> out = new ArrayList<>();
        for (int i : slice.indices(list.size())) {
            out.add(list.get(i));
        }
        return out;
    }

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base == null || method == null) {
            return null;
        }
        String name = method.toString();
        Object[] args = params == null ? new Object[0] : params;
        Object result;
        if (base instanceof CharSequence s) {
            result = PyStr.call(s.toString(), name, positional(args), named(args));
        } else if (base instanceof Map<?, ?> m) {
            result = mapMethod(m, name, positional(args));
        } else {
            return null;
        }
        if (result == PyStr.NOT_HANDLED) {
            return null;
        }
        context.setPropertyResolved(true);
        return result;
    }

    private static Object mapMethod(Map<?, ?> m, String name, List<Object> args) {
        switch (name) {
            case "items" -> {
                if (!args.isEmpty()) {
                    return PyStr.NOT_HANDLED;
                }
                return items(m);
            }
            case "keys" -> {
                return args.isEmpty() ? new ArrayList<Object>(m.keySet()) : PyStr.NOT_HANDLED;
            }
            case "values" -> {
                return args.isEmpty() ? new ArrayList<Object>(m.values()) : PyStr.NOT_HANDLED;
            }
            case "get" -> {
                if (args.isEmpty() || args.size() > 2) {
                    return PyStr.NOT_HANDLED;
                }
                Object key = args.get(0);
                if (m.containsKey(key)) {
                    return m.get(key);
                }
                return args.size() == 2 ? args.get(1) : null;
            }
            default -> {
                return PyStr.NOT_HANDLED;
            }
        }
    }

    /** dict.items(): (key, value) tuples. */
    static List<Object> items(Map<?, ?> m) {
        List<Object> out = new ArrayList<>(m.size());
        for (Map.Entry<?, ?> e : m.entrySet()) {
            out.add(new PyValues.PyTuple(e.getKey(), e.getValue()));
        }
        return out;
    }

    private static List<Object> positional(Object[] args) {
        List<Object> out = new ArrayList<>(args.length);
        for (Object a : args) {
            if (!(a instanceof NamedParameter)) {
                out.add(a);
            }
        }
        return out;
    }

    private static Map<String, Object> named(Object[] args) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Object a : args) {
            if (a instanceof NamedParameter p) {
                out.put(p.getName(), p.getValue());
            }
        }
        return out;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // read-only: never resolves
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return base instanceof CharSequence ? Object.class : null;
    }

    /** Python {@code str} methods. */
    static final class PyStr {
        static final Object NOT_HANDLED = new Object();

        private PyStr() {}

        static Object call(String s, String name, List<Object> a, Map<String, Object> kw) {
            switch (name) {
                case "startswith":
                    return affix(s, arg(a, kw, 0, "prefix"), true);
                case "endswith":
                    return affix(s, arg(a, kw, 0, "suffix"), false);
                case "strip":
                    return strip(s, chars(arg(a, kw, 0, "chars")), true, true);
                case "lstrip":
                    return strip(s, chars(arg(a, kw, 0, "chars")), true, false);
                case "rstrip":
                    return strip(s, chars(arg(a, kw, 0, "chars")), false, true);
                case "split":
                    return split(s, (String) arg(a, kw, 0, "sep"), intArg(arg(a, kw, 1, "maxsplit"), -1));
                case "rsplit":
                    return rsplit(s, (String) arg(a, kw, 0, "sep"), intArg(arg(a, kw, 1, "maxsplit"), -1));
                case "splitlines":
                    return splitlines(s, Boolean.TRUE.equals(arg(a, kw, 0, "keepends")));
                case "upper":
                    return s.toUpperCase(Locale.ROOT);
                case "lower":
                    return s.toLowerCase(Locale.ROOT);
                case "title":
                    return title(s);
                case "capitalize":
                    return capitalize(s);
                case "swapcase":
                    return swapcase(s);
                case "replace":
                    return replace(s, str(arg(a, kw, 0, "old")), str(arg(a, kw, 1, "new")),
                            intArg(arg(a, kw, 2, "count"), -1));
                case "find":
                    return find(s, str(arg(a, kw, 0, "sub")), false);
                case "rfind":
                    return find(s, str(arg(a, kw, 0, "sub")), true);
                case "index":
                case "rindex": {
                    long i = find(s, str(arg(a, kw, 0, "sub")), name.equals("rindex"));
                    if (i < 0) {
                        throw new ChatTemplateException("substring not found");
                    }
                    return i;
                }
                case "count":
                    return count(s, str(arg(a, kw, 0, "sub")));
                case "join":
                    return join(s, arg(a, kw, 0, "iterable"));
                case "format":
                    return format(s, a, kw);
                case "removeprefix": {
                    String p = str(arg(a, kw, 0, "prefix"));
                    return s.startsWith(p) ? s.substring(p.length()) : s;
                }
                case "removesuffix": {
                    String p = str(arg(a, kw, 0, "suffix"));
                    return !p.isEmpty() && s.endsWith(p) ? s.substring(0, s.length() - p.length()) : s;
                }
                case "partition":
                    return partition(s, str(arg(a, kw, 0, "sep")), false);
                case "rpartition":
                    return partition(s, str(arg(a, kw, 0, "sep")), true);
                case "isdigit":
                case "isdecimal":
                case "isnumeric":
                    return !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
                case "isalpha":
                    return !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
                case "isalnum":
                    return !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
                case "isspace":
                    return !s.isEmpty() && s.codePoints().allMatch(PyValues::isSpace);
                case "isupper":
                    return hasCased(s) && s.equals(s.toUpperCase(Locale.ROOT));
                case "islower":
                    return hasCased(s) && s.equals(s.toLowerCase(Locale.ROOT));
                case "zfill":
                    return zfill(s, intArg(arg(a, kw, 0, "width"), 0));
                case "center":
                case "ljust":
                case "rjust":
                    return pad(s, name, intArg(arg(a, kw, 0, "width"), 0), str(arg(a, kw, 1, "fillchar")));
                default:
                    return NOT_HANDLED;
            }
        }

        private static Object arg(List<Object> a, Map<String, Object> kw, int i, String name) {
            if (i < a.size()) {
                return a.get(i);
            }
            return kw.get(name);
        }

        private static String str(Object o) {
            return o == null ? null : PyValues.str(o);
        }

        private static int intArg(Object o, int dflt) {
            return o instanceof Number n ? n.intValue() : dflt;
        }

        private static String chars(Object o) {
            return o == null ? null : o.toString();
        }

        private static boolean affix(String s, Object affix, boolean prefix) {
            List<Object> options = affix instanceof CharSequence ? null : PyValues.asList(affix);
            if (options == null) {
                String x = String.valueOf(affix);
                return prefix ? s.startsWith(x) : s.endsWith(x);
            }
            for (Object o : options) {
                String x = String.valueOf(o);
                if (prefix ? s.startsWith(x) : s.endsWith(x)) {
                    return true;
                }
            }
            return false;
        }

        static String strip(String s, String chars, boolean left, boolean right) {
            int[] cps = s.codePoints().toArray();
            int a = 0;
            int b = cps.length;
            if (left) {
                while (a < b && stripped(cps[a], chars)) {
                    a++;
                }
            }
            if (right) {
                while (b > a && stripped(cps[b - 1], chars)) {
                    b--;
                }
            }
            return new String(cps, a, b - a);
        }

        private static boolean stripped(int cp, String chars) {
            return chars == null ? PyValues.isSpace(cp) : chars.codePoints().anyMatch(c -> c == cp);
        }

        static List<String> split(String s, String sep, int maxsplit) {
            List<String> out = new ArrayList<>();
            if (sep == null) {
                int[] cps = s.codePoints().toArray();
                int i = 0;
                int n = cps.length;
                while (true) {
                    while (i < n && PyValues.isSpace(cps[i])) {
                        i++;
                    }
                    if (i >= n) {
                        break;
                    }
                    if (maxsplit >= 0 && out.size() == maxsplit) {
                        int end = n;
                        while (end > i && PyValues.isSpace(cps[end - 1])) {
                            end--;
                        }
                        out.add(new String(cps, i, end - i));
                        break;
                    }
                    int j = i;
                    while (j < n && !PyValues.isSpace(cps[j])) {
                        j++;
                    }
                    out.add(new String(cps, i, j - i));
                    i = j;
                }
                return out;
            }
            if (sep.isEmpty()) {
                throw new ChatTemplateException("empty separator");
            }
            int start = 0;
            while (maxsplit < 0 || out.size() < maxsplit) {
                int at = s.indexOf(sep, start);
                if (at < 0) {
                    break;
                }
                out.add(s.substring(start, at));
                start = at + sep.length();
            }
            out.add(s.substring(start));
            return out;
        }

        static List<String> rsplit(String s, String sep, int maxsplit) {
            if (maxsplit < 0) {
                return split(s, sep, -1);
            }
            if (sep == null) {
                String rev = new StringBuilder(s).reverse().toString();
                List<String> parts = split(rev, null, maxsplit);
                List<String> out = new ArrayList<>();
                for (int i = parts.size() - 1; i >= 0; i--) {
                    out.add(new StringBuilder(parts.get(i)).reverse().toString());
                }
                return out;
            }
            if (sep.isEmpty()) {
                throw new ChatTemplateException("empty separator");
            }
            List<String> out = new ArrayList<>();
            int end = s.length();
            while (out.size() < maxsplit) {
                int at = s.lastIndexOf(sep, end - sep.length());
                if (at < 0) {
                    break;
                }
                out.add(0, s.substring(at + sep.length(), end));
                end = at;
            }
            out.add(0, s.substring(0, end));
            return out;
        }

        private static List<String> splitlines(String s, boolean keepends) {
            List<String> out = new ArrayList<>();
            int start = 0;
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                int eol = -1;
                if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                    eol = i + 2;
                } else if ("\n\r\u000B\f\u001C\u001D\u001E\u0085\u2028\u2029".indexOf(c) >= 0) {
                    eol = i + 1;
                }
                if (eol >= 0) {
                    out.add(s.substring(start, keepends ? eol : i));
                    start = eol;
                    i = eol;
                } else {
                    i++;
                }
            }
            if (start < s.length()) {
                out.add(s.substring(start));
            }
            return out;
        }

        private static String title(String s) {
            StringBuilder sb = new StringBuilder(s.length());
            boolean prevCased = false;
            for (int cp : s.codePoints().toArray()) {
                boolean cased = Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
                if (cased) {
                    sb.appendCodePoint(prevCased ? Character.toLowerCase(cp) : Character.toTitleCase(cp));
                } else {
                    sb.appendCodePoint(cp);
                }
                prevCased = cased;
            }
            return sb.toString();
        }

        private static String capitalize(String s) {
            if (s.isEmpty()) {
                return s;
            }
            int first = s.codePointAt(0);
            int n = Character.charCount(first);
            return new String(Character.toChars(Character.toTitleCase(first)))
                    + s.substring(n).toLowerCase(Locale.ROOT);
        }

        private static String swapcase(String s) {
            StringBuilder sb = new StringBuilder(s.length());
            for (int cp : s.codePoints().toArray()) {
                sb.appendCodePoint(Character.isUpperCase(cp) ? Character.toLowerCase(cp)
                        : Character.isLowerCase(cp) ? Character.toUpperCase(cp) : cp);
            }
            return sb.toString();
        }

        private static boolean hasCased(String s) {
            return s.codePoints().anyMatch(cp -> Character.isUpperCase(cp) || Character.isLowerCase(cp));
        }

        private static String replace(String s, String old, String neu, int count) {
            if (count < 0) {
                return s.replace(old, neu);
            }
            StringBuilder sb = new StringBuilder();
            int start = 0;
            int done = 0;
            while (done < count) {
                int at = s.indexOf(old, start);
                if (at < 0) {
                    break;
                }
                sb.append(s, start, at).append(neu);
                start = at + old.length();
                done++;
                if (old.isEmpty()) {
                    if (start >= s.length()) {
                        break;
                    }
                    sb.appendCodePoint(s.codePointAt(start));
                    start += Character.charCount(s.codePointAt(start));
                }
            }
            return sb.append(s.substring(start)).toString();
        }

        private static long find(String s, String sub, boolean last) {
            int at = last ? s.lastIndexOf(sub) : s.indexOf(sub);
            return at < 0 ? -1 : s.codePointCount(0, at);
        }

        private static long count(String s, String sub) {
            if (sub.isEmpty()) {
                return s.codePointCount(0, s.length()) + 1L;
            }
            long c = 0;
            int at = s.indexOf(sub);
            while (at >= 0) {
                c++;
                at = s.indexOf(sub, at + sub.length());
            }
            return c;
        }

        private static String join(String sep, Object iterable) {
            List<Object> items = iterable instanceof CharSequence cs
                    ? new ArrayList<>(cs.toString().codePoints().mapToObj(Character::toString).toList())
                    : PyValues.asList(iterable);
            if (items == null && iterable instanceof Map<?, ?> m) {
                items = new ArrayList<>(m.keySet());
            }
            if (items == null) {
                throw new ChatTemplateException("can only join an iterable");
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    sb.append(sep);
                }
                sb.append(PyValues.str(items.get(i)));
            }
            return sb.toString();
        }

        private static List<String> partition(String s, String sep, boolean last) {
            int at = last ? s.lastIndexOf(sep) : s.indexOf(sep);
            if (at < 0) {
                return last ? List.of("", "", s) : List.of(s, "", "");
            }
            return List.of(s.substring(0, at), sep, s.substring(at + sep.length()));
        }

        private static String zfill(String s, int width) {
            int len = s.codePointCount(0, s.length());
            if (len >= width) {
                return s;
            }
            String zeros = "0".repeat(width - len);
            if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
                return s.charAt(0) + zeros + s.substring(1);
            }
            return zeros + s;
        }

        private static String pad(String s, String how, int width, String fill) {
            String f = fill == null ? " " : fill;
            int len = s.codePointCount(0, s.length());
            if (len >= width) {
                return s;
            }
            int total = width - len;
            return switch (how) {
                case "ljust" -> s + f.repeat(total);
                case "rjust" -> f.repeat(total) + s;
                default -> {
                    int left = total / 2 + (total & width & 1);
                    yield f.repeat(left) + s + f.repeat(total - left);
                }
            };
        }

        /** str.format with positional/auto-numbered/named fields; format specs and conversions are ignored. */
        private static String format(String s, List<Object> a, Map<String, Object> kw) {
            StringBuilder sb = new StringBuilder();
            int auto = 0;
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                    sb.append('{');
                    i += 2;
                } else if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
                    sb.append('}');
                    i += 2;
                } else if (c == '{') {
                    int end = s.indexOf('}', i);
                    if (end < 0) {
                        throw new ChatTemplateException("Single '{' encountered in format string");
                    }
                    String field = s.substring(i + 1, end);
                    int cut = indexOfAny(field, ":!");
                    if (cut >= 0) {
                        field = field.substring(0, cut);
                    }
                    Object v;
                    if (field.isEmpty()) {
                        v = auto < a.size() ? a.get(auto++) : missing(field);
                    } else if (field.chars().allMatch(Character::isDigit)) {
                        int k = Integer.parseInt(field);
                        v = k < a.size() ? a.get(k) : missing(field);
                    } else {
                        v = kw.containsKey(field) ? kw.get(field) : missing(field);
                    }
                    sb.append(v == null ? "None" : PyValues.str(v));
                    i = end + 1;
                } else {
                    sb.append(c);
                    i++;
                }
            }
            return sb.toString();
        }

        private static Object missing(String field) {
            throw new ChatTemplateException("format: missing argument " + (field.isEmpty() ? "{}" : field));
        }

        private static int indexOfAny(String s, String chars) {
            for (int i = 0; i < s.length(); i++) {
                if (chars.indexOf(s.charAt(i)) >= 0) {
                    return i;
                }
            }
            return -1;
        }
    }
}
