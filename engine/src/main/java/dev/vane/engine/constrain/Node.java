package dev.vane.engine.constrain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A compiled schema: what the JSON value at one place may be. Nodes are immutable and compared by
 * identity; a compilation builds each distinct subschema ({@code $ref} target) once, and the
 * parameterless ones (any string, any number, booleans, null, any value) are shared singletons, so
 * equal frames over them key the same cached masks.
 */
abstract sealed class Node permits Node.Choice, Node.Single, Node.Ref {

    /** Most distinct string (and number) bounds interned; past that, nodes are made afresh. */
    static final int INTERNED = 4096;
    private static final java.util.concurrent.ConcurrentHashMap<List<?>, Str> STRINGS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.concurrent.ConcurrentHashMap<List<?>, Num> NUMBERS = new java.util.concurrent.ConcurrentHashMap<>();

    private static <N extends Node> N intern(java.util.concurrent.ConcurrentHashMap<List<?>, N> map, List<?> key, java.util.function.Supplier<N> make) {
        N n = map.get(key);
        if (n != null) return n;
        if (map.size() >= INTERNED) return make.get();
        return map.computeIfAbsent(key, k -> make.get());
    }

    /** Pushes this node's initial frame(s) on {@code under}. */
    abstract void enter(Stack under, Sink out);

    /** Pushes this node's initial frame(s) on {@code under} and feeds each byte {@code b}. */
    abstract void enterAndFeed(Stack under, int b, Sink out);

    /** A recursive {@code $ref}: the node it names, set once that node is compiled (its own subschemas refer to it). */
    static final class Ref extends Node {
        final String ref;
        final String path;
        Node target;

        Ref(String ref, String path) {
            this.ref = ref;
            this.path = path;
        }

        @Override
        void enter(Stack under, Sink out) {
            target.enter(under, out);
        }

        @Override
        void enterAndFeed(Stack under, int b, Sink out) {
            target.enterAndFeed(under, b, out);
        }

        @Override
        public String toString() {
            return "ref " + ref;
        }
    }

    /** The nodes a value of {@code root} may hold (itself included), each once. */
    static java.util.Set<Node> reachable(Node root) {
        java.util.Set<Node> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.ArrayDeque<Node> todo = new java.util.ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            if (!seen.add(n)) continue;
            switch (n) {
                case Choice c -> todo.addAll(Arrays.asList(c.alternatives));
                case Ref r -> todo.add(r.target);
                case Arr a -> todo.add(a.items);
                case Obj o -> {
                    todo.addAll(Arrays.asList(o.values));
                    if (o.free != null) {
                        todo.add(o.free);
                        todo.add(o.key);
                    }
                }
                default -> { }
            }
        }
        return seen;
    }

    /**
     * The nodes among {@code nodes} none of whose values can end: every value of them holds
     * another (a recursion with no way out). Empty for a schema without recursion.
     */
    static java.util.Set<Node> endless(java.util.Set<Node> nodes) {
        java.util.Set<Node> ends = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Node n : nodes) {
                if (ends.contains(n)) continue;
                boolean end = switch (n) {
                    case Choice c -> Arrays.stream(c.alternatives).anyMatch(ends::contains);
                    case Ref r -> ends.contains(r.target);
                    case Arr a -> a.min == 0 || ends.contains(a.items);
                    case Obj o -> o.free != null ? o.minProps == 0 || (ends.contains(o.key) && ends.contains(o.free))
                            : java.util.stream.IntStream.range(0, o.values.length).allMatch(i -> !o.required[i] || ends.contains(o.values[i]));
                    default -> true;
                };
                if (end) {
                    ends.add(n);
                    changed = true;
                }
            }
        }
        java.util.Set<Node> out = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Node n : nodes) if (!ends.contains(n)) out.add(n);
        return out;
    }

    /** A node with one initial frame. */
    abstract static sealed class Single extends Node permits Str, Num, Lit, Arr, Obj {
        abstract Frame initial();

        @Override
        final void enter(Stack under, Sink out) {
            out.add(under.push(initial()));
        }

        @Override
        final void enterAndFeed(Stack under, int b, Sink out) {
            Frame f = initial();
            f.feed(b, under.push(f), out);
        }
    }

    /** {@code anyOf} (or several types): any of the alternatives, tried side by side until the bytes tell them apart. */
    static final class Choice extends Node {
        final Node[] alternatives;

        Choice(List<Node> alternatives) {
            List<Node> flat = new ArrayList<>();
            for (Node n : alternatives) {
                if (n instanceof Choice c) flat.addAll(Arrays.asList(c.alternatives));
                else if (!flat.contains(n)) flat.add(n);
            }
            this.alternatives = flat.toArray(new Node[0]);
        }

        static Node of(List<Node> alternatives) {
            Choice c = new Choice(alternatives);
            return c.alternatives.length == 1 ? c.alternatives[0] : c;
        }

        @Override
        void enter(Stack under, Sink out) {
            for (Node n : alternatives) n.enter(under, out);
        }

        @Override
        void enterAndFeed(Stack under, int b, Sink out) {
            for (Node n : alternatives) n.enterAndFeed(under, b, out);
        }
    }

    /** A string of {@code min..max} characters (code points; {@code max < 0}: unbounded). */
    static final class Str extends Single {
        static final Str ANY = new Str(0, -1);
        final int min;
        final int max;
        private final Frame initial;

        Str(int min, int max) {
            this.min = min;
            this.max = max;
            this.initial = new Frame.StrFrame(this, Frame.StrFrame.START, 0);
        }

        /** Strings of the same bounds share one node (and so their cached masks), up to {@value #INTERNED} bounds. */
        static Str of(int min, int max) {
            if (min == 0 && max < 0) return ANY;
            return intern(STRINGS, List.of(min, max), () -> new Str(min, max));
        }

        @Override
        Frame initial() {
            return initial;
        }

        @Override
        public String toString() {
            return "string" + (min == 0 && max < 0 ? "" : "{" + min + "," + (max < 0 ? "" : max) + "}");
        }
    }

    /**
     * A number (or integer) written without exponent and optional whitespace, at most
     * {@link #intDigits} integer digits and {@link #fracDigits} fraction digits, within the bounds:
     * a prefix is admitted only if some completion of it satisfies them, so every number read can end.
     */
    static final class Num extends Single {
        /** Integer digits at most: every such integer is exact in a double. */
        static final int INT_DIGITS = 15;
        /** Fraction digits at most, unless a bound needs more. */
        static final int FRAC_DIGITS = 6;
        static final Num ANY_NUMBER = new Num(false, null, false, null, false);
        static final Num ANY_INTEGER = new Num(true, null, false, null, false);

        final boolean integer;
        final BigDecimal min;
        final boolean minExclusive;
        final BigDecimal max;
        final boolean maxExclusive;
        final int intDigits = INT_DIGITS;
        final int fracDigits;
        private final BigDecimal step;
        private final Frame initial;

        Num(boolean integer, BigDecimal min, boolean minExclusive, BigDecimal max, boolean maxExclusive) {
            this.integer = integer;
            this.min = min;
            this.minExclusive = minExclusive;
            this.max = max;
            this.maxExclusive = maxExclusive;
            int frac = FRAC_DIGITS;
            if (min != null) frac = Math.max(frac, Math.max(0, min.stripTrailingZeros().scale()) + 1);
            if (max != null) frac = Math.max(frac, Math.max(0, max.stripTrailingZeros().scale()) + 1);
            this.fracDigits = integer ? 0 : Math.min(frac, 30);
            this.step = integer ? BigDecimal.ONE : BigDecimal.ONE.movePointLeft(fracDigits);
            this.initial = new Frame.NumFrame(this, "", false);
        }

        /** Numbers of the same bounds share one node, up to {@value #INTERNED} bounds. */
        static Num of(boolean integer, BigDecimal min, boolean minExclusive, BigDecimal max, boolean maxExclusive) {
            if (min == null && max == null) return integer ? ANY_INTEGER : ANY_NUMBER;
            List<Object> key = java.util.Arrays.asList(integer, min == null ? null : min.stripTrailingZeros(), minExclusive,
                    max == null ? null : max.stripTrailingZeros(), maxExclusive);
            return intern(NUMBERS, key, () -> new Num(integer, min, minExclusive, max, maxExclusive));
        }

        @Override
        Frame initial() {
            return initial;
        }

        boolean bounded() {
            return min != null || max != null;
        }

        /** Whether {@code prefix + b} (b one of {@code -0-9.}) is a number prefix within the length limits. */
        boolean syntaxAllows(String prefix, int b) {
            if (b == '-') return prefix.isEmpty();
            int bodyStart = prefix.startsWith("-") ? 1 : 0;
            int bodyLength = prefix.length() - bodyStart;
            int dot = prefix.indexOf('.');
            if (b == '.') return !integer && dot < 0 && bodyLength > 0;
            if (dot >= 0) return prefix.length() - dot - 1 < fracDigits;
            if (bodyLength == 1 && prefix.charAt(bodyStart) == '0') return false; // no leading zero
            return bodyLength < intDigits;
        }

        /** Whether {@code prefix} is a whole number (not empty, not "-", not ending with '.') within the bounds. */
        boolean complete(String prefix) {
            if (prefix.isEmpty() || prefix.equals("-") || prefix.endsWith(".")) return false;
            if (!bounded()) return true;
            return inBounds(new BigDecimal(prefix));
        }

        private boolean inBounds(BigDecimal v) {
            if (min != null) {
                int c = v.compareTo(min);
                if (c < 0 || (c == 0 && minExclusive)) return false;
            }
            if (max != null) {
                int c = v.compareTo(max);
                if (c > 0 || (c == 0 && maxExclusive)) return false;
            }
            return true;
        }

        /** Whether some number this node admits starts with {@code prefix} (a syntactically valid prefix). */
        boolean feasible(String prefix) {
            if (!bounded()) return true;
            boolean neg = prefix.startsWith("-");
            String body = neg ? prefix.substring(1) : prefix;
            if (body.isEmpty()) {
                BigDecimal top = BigDecimal.TEN.pow(intDigits).subtract(step);
                return hasPoint(true, BigDecimal.ZERO, top) || (!neg && hasPoint(false, BigDecimal.ZERO, top));
            }
            int dot = body.indexOf('.');
            if (dot < 0) {
                if (body.equals("0")) return hasPoint(neg, BigDecimal.ZERO, integer ? BigDecimal.ZERO : BigDecimal.ONE.subtract(step));
                BigDecimal whole = new BigDecimal(body);
                for (int j = 0; j <= intDigits - body.length(); j++) {
                    BigDecimal a = whole.scaleByPowerOfTen(j);
                    BigDecimal b = whole.add(BigDecimal.ONE).scaleByPowerOfTen(j).subtract(step);
                    if (hasPoint(neg, a, b)) return true;
                }
                return false;
            }
            String frac = body.substring(dot + 1);
            BigDecimal base = new BigDecimal(body.substring(0, dot) + "." + (frac.isEmpty() ? "0" : frac));
            BigDecimal width = BigDecimal.ONE.movePointLeft(frac.length());
            return hasPoint(neg, base, base.add(width).subtract(step));
        }

        /** Whether a multiple of the step in magnitudes {@code [a, b]} (negated when {@code neg}) lies within the bounds. */
        private boolean hasPoint(boolean neg, BigDecimal a, BigDecimal b) {
            BigDecimal lo = neg ? b.negate() : a;
            BigDecimal hi = neg ? a.negate() : b;
            boolean loEx = false;
            boolean hiEx = false;
            if (min != null) {
                int c = min.compareTo(lo);
                if (c > 0 || (c == 0 && minExclusive)) {
                    lo = min;
                    loEx = minExclusive;
                }
            }
            if (max != null) {
                int c = max.compareTo(hi);
                if (c < 0 || (c == 0 && maxExclusive)) {
                    hi = max;
                    hiEx = maxExclusive;
                }
            }
            BigDecimal x = lo.divide(step, 0, RoundingMode.CEILING).multiply(step);
            if (loEx && x.compareTo(lo) == 0) x = x.add(step);
            int c = x.compareTo(hi);
            return c < 0 || (c == 0 && !hiEx);
        }

        @Override
        public String toString() {
            return (integer ? "integer" : "number") + (bounded() ? (minExclusive ? "(" : "[") + min + "," + max + (maxExclusive ? ")" : "]") : "");
        }
    }

    /** One of a set of fixed JSON texts ({@code enum}, {@code const}, booleans, null), compact. */
    static final class Lit extends Single {
        static final Lit BOOLEAN = new Lit(List.of("true", "false"));
        static final Lit NULL = new Lit(List.of("null"));
        static final Lit SCALARS = new Lit(List.of("true", "false", "null"));
        /** Sorted (unsigned lexicographic), distinct: texts sharing a prefix are adjacent, a prefix before its extensions. */
        final byte[][] texts;
        private final Frame initial;

        Lit(List<String> texts) {
            this.texts = texts.stream().distinct().map(t -> t.getBytes(StandardCharsets.UTF_8))
                    .sorted(Arrays::compareUnsigned).toArray(byte[][]::new);
            if (this.texts.length == 0) throw new IllegalArgumentException("no literal");
            this.initial = new Frame.LitFrame(this, 0, 0);
        }

        @Override
        Frame initial() {
            return initial;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("one of ");
            for (byte[] t : texts) sb.append(new String(t, StandardCharsets.UTF_8)).append(' ');
            return sb.toString().trim();
        }
    }

    /** An array of {@code min..max} items ({@code max < 0}: unbounded). */
    static final class Arr extends Single {
        final Node items;
        final int min;
        final int max;
        private final Frame initial;

        Arr(Node items, int min, int max) {
            this.items = items;
            this.min = min;
            this.max = max;
            this.initial = new Frame.ArrFrame(this, Frame.ArrFrame.START, 0);
        }

        @Override
        Frame initial() {
            return initial;
        }

        @Override
        public String toString() {
            return "array{" + min + "," + (max < 0 ? "" : max) + "}";
        }
    }

    /**
     * An object: either fixed properties, written in this order, each {@code "key":value} with the
     * optional ones possibly left out; or ({@link #free} not null) any keys, each value a {@link #free}.
     */
    static final class Obj extends Single {
        /** Each property's {@code "name":} as JSON bytes. */
        final byte[][] keys;
        final Node[] values;
        final boolean[] required;
        /** {@code optionalFrom[i]}: properties {@code i..} are all optional (the object may close). */
        final boolean[] optionalFrom;
        /** {@code reach[i]}: the last property that may come next after property {@code i - 1}: the first required one from {@code i}. */
        final int[] reach;
        final Node free;
        /** With {@link #free}: what a key may be ({@code propertyNames}), and how many keys. */
        final Node key;
        final int minProps;
        final int maxProps;
        final String[] names;
        private final Frame initial;

        Obj(List<String> names, List<Node> values, List<Boolean> required) {
            int n = names.size();
            this.names = names.toArray(new String[0]);
            this.keys = new byte[n][];
            this.values = values.toArray(new Node[0]);
            this.required = new boolean[n];
            for (int i = 0; i < n; i++) {
                keys[i] = (Json.quote(names.get(i)) + ":").getBytes(StandardCharsets.UTF_8);
                this.required[i] = required.get(i);
            }
            this.optionalFrom = new boolean[n + 1];
            this.reach = new int[n + 1];
            optionalFrom[n] = true;
            reach[n] = n - 1;
            int firstRequired = n - 1;
            for (int i = n - 1; i >= 0; i--) {
                optionalFrom[i] = optionalFrom[i + 1] && !this.required[i];
                if (this.required[i]) firstRequired = i;
                reach[i] = firstRequired;
            }
            this.free = null;
            this.key = null;
            this.minProps = 0;
            this.maxProps = -1;
            this.initial = new Frame.ObjFrame(this, Frame.ObjFrame.START, 0, 0, 0);
        }

        /** An object of any keys, each value a {@code free}. */
        Obj(Node free) {
            this(free, Str.ANY, 0, -1);
        }

        /** An object of {@code minProps..maxProps} keys ({@code maxProps < 0}: unbounded), each a {@code key}, each value a {@code free}. */
        Obj(Node free, Node key, int minProps, int maxProps) {
            this.names = new String[0];
            this.keys = new byte[0][];
            this.values = new Node[0];
            this.required = new boolean[0];
            this.optionalFrom = new boolean[] {true};
            this.reach = new int[] {-1};
            this.free = free;
            this.key = key;
            this.minProps = minProps;
            this.maxProps = maxProps;
            this.initial = new Frame.ObjFrame(this, Frame.ObjFrame.START, 0, 0, 0);
        }

        @Override
        Frame initial() {
            return initial;
        }

        @Override
        public String toString() {
            return free != null ? "object{*}" : "object" + Arrays.toString(names);
        }
    }

    /** Any JSON value, objects and arrays nested at most {@link #MAX_DEPTH} deep (then scalars only). */
    static final class Any {
        static final int MAX_DEPTH = 20;
        private static final Node[] AT = new Node[MAX_DEPTH + 1];
        private static final Obj[] OBJECT_AT = new Obj[MAX_DEPTH];

        static {
            AT[MAX_DEPTH] = Choice.of(List.of(Str.ANY, Num.ANY_NUMBER, Lit.SCALARS));
            for (int d = MAX_DEPTH - 1; d >= 0; d--) {
                OBJECT_AT[d] = new Obj(AT[d + 1]);
                AT[d] = Choice.of(List.of(OBJECT_AT[d], new Arr(AT[d + 1], 0, -1), Str.ANY, Num.ANY_NUMBER, Lit.SCALARS));
            }
        }

        private Any() {}

        /** Any value, at nesting depth {@code depth}. */
        static Node value(int depth) {
            return AT[Math.min(depth, MAX_DEPTH)];
        }

        /** Any object, at nesting depth {@code depth} ({@code response_format: json_object} at 0). */
        static Obj object(int depth) {
            return OBJECT_AT[Math.min(depth, MAX_DEPTH - 1)];
        }
    }
}
