package dev.vane.engine.constrain;

/**
 * The state of one value being read, on top of the {@link Stack} of the values around it. A frame
 * reads a byte with {@link #feed}: it adds the configuration(s) the byte leads to, or none to reject
 * it. Frames are records (value equality) over their {@link Node} (identity) and small counters.
 */
sealed interface Frame permits Frame.StrFrame, Frame.NumFrame, Frame.LitFrame, Frame.ArrFrame, Frame.ObjFrame {

    /** Reads {@code b} with this frame on top of {@code self} ({@code self.top == this}). */
    void feed(int b, Stack self, Sink out);

    /** This frame once the child value it pushed is complete. */
    default Frame childDone() {
        throw new IllegalStateException(this + " has no child");
    }

    /** Whether the value may end here without reading another byte (a number, or a literal another one extends). */
    default boolean canEnd() {
        return false;
    }

    /** The frame on top of {@code self} completed with the byte it read: its parent takes over. */
    static void done(Stack self, Sink out) {
        Stack rest = self.rest;
        if (rest == Stack.EMPTY) out.add(Stack.EMPTY);
        else if (rest == Stack.HOLE) out.add(Stack.EXIT_CONSUMED);
        else out.add(rest.rest.push(rest.top.childDone()));
    }

    /** The frame on top of {@code self} completed before byte {@code b}: its parent reads it. */
    static void doneThenFeed(Stack self, int b, Sink out) {
        Stack rest = self.rest;
        if (rest == Stack.EMPTY) return;
        if (rest == Stack.HOLE) {
            out.add(Stack.EXIT_REFEED);
            return;
        }
        Frame parent = rest.top.childDone();
        parent.feed(b, rest.rest.push(parent), out);
    }

    private static boolean hex(int b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }

    /** Inside a string: {@code count} characters so far (capped where the bounds no longer care). */
    record StrFrame(Node.Str node, int phase, int count) implements Frame {
        static final int START = 0, IN = 1, ESC = 2, HEX4 = 3, HEX3 = 4, HEX3D = 5, HEX2 = 6, HEX1 = 7,
                C1 = 8, C2 = 9, C3 = 10, CE0 = 11, CED = 12, CF0 = 13, CF4 = 14;

        private void to(int phase, int count, Stack self, Sink out) {
            if (phase == this.phase && count == this.count) out.add(self);
            else out.add(self.rest.push(new StrFrame(node, phase, count)));
        }

        @Override
        public void feed(int b, Stack self, Sink out) {
            switch (phase) {
                case START -> {
                    if (b == '"') to(IN, 0, self, out);
                }
                case IN -> {
                    if (b == '"') {
                        if (count >= node.min) done(self, out);
                        return;
                    }
                    if (node.max >= 0 && count >= node.max) return;
                    int next = node.max >= 0 ? count + 1 : Math.min(count + 1, node.min);
                    if (b == '\\') to(ESC, next, self, out);
                    else if (b < 0x20) return;
                    else if (b < 0x80) to(IN, next, self, out);
                    else if (b >= 0xC2 && b <= 0xDF) to(C1, next, self, out);
                    else if (b == 0xE0) to(CE0, next, self, out);
                    else if (b == 0xED) to(CED, next, self, out);
                    else if (b >= 0xE1 && b <= 0xEF) to(C2, next, self, out);
                    else if (b == 0xF0) to(CF0, next, self, out);
                    else if (b >= 0xF1 && b <= 0xF3) to(C3, next, self, out);
                    else if (b == 0xF4) to(CF4, next, self, out);
                }
                case ESC -> {
                    if (b == '"' || b == '\\' || b == '/' || b == 'b' || b == 'f' || b == 'n' || b == 'r' || b == 't') to(IN, count, self, out);
                    else if (b == 'u') to(HEX4, count, self, out);
                }
                case HEX4 -> { // no \\uD800-\\uDFFF: surrogates would need a pair
                    if (b == 'd' || b == 'D') to(HEX3D, count, self, out);
                    else if (hex(b)) to(HEX3, count, self, out);
                }
                case HEX3 -> {
                    if (hex(b)) to(HEX2, count, self, out);
                }
                case HEX3D -> {
                    if (b >= '0' && b <= '7') to(HEX2, count, self, out);
                }
                case HEX2 -> {
                    if (hex(b)) to(HEX1, count, self, out);
                }
                case HEX1 -> {
                    if (hex(b)) to(IN, count, self, out);
                }
                case C1 -> {
                    if (b >= 0x80 && b <= 0xBF) to(IN, count, self, out);
                }
                case C2 -> {
                    if (b >= 0x80 && b <= 0xBF) to(C1, count, self, out);
                }
                case C3 -> {
                    if (b >= 0x80 && b <= 0xBF) to(C2, count, self, out);
                }
                case CE0 -> {
                    if (b >= 0xA0 && b <= 0xBF) to(C1, count, self, out);
                }
                case CED -> {
                    if (b >= 0x80 && b <= 0x9F) to(C1, count, self, out);
                }
                case CF0 -> {
                    if (b >= 0x90 && b <= 0xBF) to(C2, count, self, out);
                }
                case CF4 -> {
                    if (b >= 0x80 && b <= 0x8F) to(C2, count, self, out);
                }
                default -> throw new IllegalStateException("phase " + phase);
            }
        }

        @Override
        public String toString() {
            return node + "@" + phase + "#" + count;
        }
    }

    /** Inside a number: the characters so far; {@code complete} when they are a whole number within the bounds. */
    record NumFrame(Node.Num node, String prefix, boolean complete) implements Frame {
        @Override
        public void feed(int b, Stack self, Sink out) {
            if (b == '-' || b == '.' || (b >= '0' && b <= '9')) {
                if (!node.syntaxAllows(prefix, b)) return;
                String p = prefix + (char) b;
                if (node.feasible(p)) out.add(self.rest.push(new NumFrame(node, p, node.complete(p))));
                return; // a digit, '-' or '.' never follows a whole value in JSON
            }
            if (complete) doneThenFeed(self, b, out);
        }

        @Override
        public boolean canEnd() {
            return complete;
        }

        @Override
        public String toString() {
            return node + "'" + prefix + "'";
        }
    }

    /** Inside a literal: the first ({@code witness}) of the texts that start with the {@code offset} bytes read. */
    record LitFrame(Node.Lit node, int witness, int offset) implements Frame {
        @Override
        public void feed(int b, Stack self, Sink out) {
            byte[][] texts = node.texts;
            byte[] w = texts[witness];
            for (int j = witness; j < texts.length && sharesPrefix(texts[j], w, offset); j++) {
                byte[] t = texts[j];
                if (t.length > offset && (t[offset] & 0xFF) == b) {
                    int o = offset + 1;
                    boolean extended = j + 1 < texts.length && t.length == o && sharesPrefix(texts[j + 1], t, o);
                    if (t.length == o && !extended) done(self, out);
                    else out.add(self.rest.push(new LitFrame(node, j, o)));
                    return;
                }
            }
            if (canEnd()) doneThenFeed(self, b, out);
        }

        private static boolean sharesPrefix(byte[] a, byte[] b, int n) {
            if (a.length < n) return false;
            for (int i = 0; i < n; i++) if (a[i] != b[i]) return false;
            return true;
        }

        @Override
        public boolean canEnd() {
            return node.texts[witness].length == offset;
        }

        @Override
        public String toString() {
            return node + "@" + witness + ":" + offset;
        }
    }

    /** Inside an array: {@code count} items so far (capped where the bounds no longer care). */
    record ArrFrame(Node.Arr node, int phase, int count) implements Frame {
        static final int START = 0, OPEN = 1, ITEM = 2, AFTER = 3, COMMA = 4;

        @Override
        public void feed(int b, Stack self, Sink out) {
            switch (phase) {
                case START -> {
                    if (b == '[') out.add(self.rest.push(new ArrFrame(node, OPEN, 0)));
                }
                case OPEN -> {
                    if (b == ']') {
                        if (node.min == 0) done(self, out);
                    } else if (node.max != 0) {
                        node.items.enterAndFeed(self.rest.push(new ArrFrame(node, ITEM, 0)), b, out);
                    }
                }
                case AFTER -> {
                    if (b == ',' && (node.max < 0 || count < node.max)) out.add(self.rest.push(new ArrFrame(node, COMMA, count)));
                    else if (b == ']' && count >= node.min) done(self, out);
                }
                case COMMA -> node.items.enterAndFeed(self.rest.push(new ArrFrame(node, ITEM, count)), b, out);
                default -> { } // ITEM: the item is on top
            }
        }

        @Override
        public Frame childDone() {
            int c = count + 1;
            return new ArrFrame(node, AFTER, node.max >= 0 ? c : Math.min(c, node.min));
        }

        @Override
        public String toString() {
            return node + "@" + phase + "#" + count;
        }
    }

    /**
     * Inside an object. Fixed properties: {@code index} is the next property that may come (or, in
     * {@code VALUE}, the one being read); in {@code KEY}, {@code witness} is the first candidate key
     * starting with the {@code offset} bytes read. Any keys: the key string and the value are
     * children, and {@code index} counts the properties (capped where the bounds no longer care).
     */
    record ObjFrame(Node.Obj node, int phase, int index, int witness, int offset) implements Frame {
        static final int START = 0, OPEN = 1, AFTER = 2, COMMA = 3, KEY = 4, VALUE = 5, FREE_KEY = 6, COLON = 7, FREE_VALUE = 8;

        @Override
        public void feed(int b, Stack self, Sink out) {
            Stack rest = self.rest;
            switch (phase) {
                case START -> {
                    if (b == '{') out.add(rest.push(new ObjFrame(node, OPEN, 0, 0, 0)));
                }
                case OPEN, COMMA -> {
                    if (b == '}' && phase == OPEN && (node.free != null ? node.minProps == 0 : node.optionalFrom[index])) done(self, out);
                    else if (b == '"') startKey(rest, out);
                }
                case AFTER -> {
                    if (node.free != null) {
                        if (b == '}' && index >= node.minProps) done(self, out);
                        else if (b == ',' && (node.maxProps < 0 || index < node.maxProps))
                            out.add(rest.push(new ObjFrame(node, COMMA, index, 0, 0)));
                    } else if (b == '}' && node.optionalFrom[index]) done(self, out);
                    else if (b == ',' && index < node.keys.length) out.add(rest.push(new ObjFrame(node, COMMA, index, 0, 0)));
                }
                case KEY -> {
                    byte[] w = node.keys[witness];
                    for (int j = witness; j <= node.reach[index]; j++) {
                        byte[] k = node.keys[j];
                        if (k.length > offset && (k[offset] & 0xFF) == b && samePrefix(k, w, offset)) {
                            if (k.length == offset + 1) node.values[j].enter(rest.push(new ObjFrame(node, VALUE, j, 0, 0)), out);
                            else out.add(rest.push(new ObjFrame(node, KEY, index, j, offset + 1)));
                            return;
                        }
                    }
                }
                case COLON -> {
                    if (b == ':') node.free.enter(rest.push(new ObjFrame(node, FREE_VALUE, index, 0, 0)), out);
                }
                default -> { } // VALUE, FREE_KEY, FREE_VALUE: the child is on top
            }
        }

        private void startKey(Stack rest, Sink out) {
            if (node.free != null) {
                if (node.maxProps < 0 || index < node.maxProps) node.key.enterAndFeed(rest.push(new ObjFrame(node, FREE_KEY, index, 0, 0)), '"', out);
            } else if (index < node.keys.length) {
                out.add(rest.push(new ObjFrame(node, KEY, index, index, 1))); // every key starts with '"'
            }
        }

        private static boolean samePrefix(byte[] a, byte[] b, int n) {
            for (int i = 0; i < n; i++) if (a[i] != b[i]) return false;
            return true;
        }

        @Override
        public Frame childDone() {
            return switch (phase) {
                case VALUE -> new ObjFrame(node, AFTER, index + 1, 0, 0);
                case FREE_KEY -> new ObjFrame(node, COLON, index, 0, 0);
                case FREE_VALUE -> new ObjFrame(node, AFTER, node.maxProps >= 0 ? index + 1 : Math.min(index + 1, node.minProps), 0, 0);
                default -> throw new IllegalStateException(this + " has no child");
            };
        }

        @Override
        public String toString() {
            return node + "@" + phase + ":" + index + (phase == KEY ? "/" + witness + ":" + offset : "");
        }
    }
}
