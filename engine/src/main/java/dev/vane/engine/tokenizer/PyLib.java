package dev.vane.engine.tokenizer;

import com.hubspot.jinjava.el.ext.NamedParameter;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.expression.ExpressionStrategy;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.filter.LengthFilter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.mode.ExecutionMode;
import com.hubspot.jinjava.objects.SafeString;
import com.hubspot.jinjava.tree.output.RenderedOutputNode;
import com.hubspot.jinjava.tree.parse.ExpressionToken;
import java.io.Serial;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The HF globals, Python-compatible filters and Python-style output that {@link ChatTemplate} adds to Jinjava. */
final class PyLib {
    private PyLib() {}

    /** Thrown by {@code raise_exception}; {@link ChatTemplate} turns it into a {@link ChatTemplateException}. */
    static final class RaisedException extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        RaisedException(String message) {
            super(message, null, false, false);
        }
    }

    static void register(Context global) {
        global.registerFunction(new ELFunctionDefinition("", "raise_exception", PyLib.class, "raiseException",
                Object.class));
        global.registerFunction(new ELFunctionDefinition("", "strftime_now", PyLib.class, "strftimeNow",
                Object.class));
        global.registerFunction(new ELFunctionDefinition("", JinjaTranslator.SLICE_FUNCTION, PyResolver.Slice.class,
                "of", Object.class, Object.class, Object.class));
        global.registerFunction(new ELFunctionDefinition("", JinjaTranslator.FORMAT_FUNCTION, PyFormat.class,
                "format", Object.class, Object.class));
        global.registerFunction(new ELFunctionDefinition("", "dict", PyLib.class, "dict", Object[].class));
        global.registerFilter(new ToJsonFilter());
        global.registerFilter(new ItemsFilter());
        global.registerFilter(new ExtremeFilter("max", true));
        global.registerFilter(new ExtremeFilter("min", false));
        global.registerFilter(new TrimFilter());
        global.registerFilter(new LengthPyFilter());
        global.registerFilter(new StringFilter());
    }

    /** {@code raise_exception(message)}: aborts rendering with exactly this message. */
    public static Object raiseException(Object message) {
        throw new RaisedException(PyValues.str(message));
    }

    /** {@code dict(key=value, ...)}: a map of the keyword arguments. */
    public static Map<String, Object> dict(Object... args) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Object a : args) {
            if (a instanceof NamedParameter p) {
                out.put(p.getName(), p.getValue());
            } else if (a instanceof Map<?, ?> m) {
                m.forEach((k, v) -> out.put(String.valueOf(k), v));
            } else {
                throw new ChatTemplateException("dict() takes keyword arguments or a mapping");
            }
        }
        return out;
    }

    /** {@code strftime_now(format)}: the current time from the template's clock, formatted like Python. */
    public static String strftimeNow(Object format) {
        JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
        long millis = interpreter.getConfig().getDateTimeProvider().getCurrentTimeMillis();
        ZoneId zone = interpreter.getConfig().getTimeZone();
        return Strftime.format(PyValues.str(format), LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), zone));
    }

    /** Makes {@code {{ expr }}} print values as Python's {@code str()} does (True/False, reprs of lists and dicts). */
    static final class PyExecutionMode implements ExecutionMode {
        @Override
        public void prepareContext(Context context) {
            context.setExpressionStrategy(new PyExpressionStrategy());
        }
    }

    static final class PyExpressionStrategy implements ExpressionStrategy {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public RenderedOutputNode interpretOutput(ExpressionToken token, JinjavaInterpreter interpreter) {
            Object value = interpreter.resolveELExpression(token.getExpr(), token.getLineNumber());
            return new RenderedOutputNode(PyValues.str(value));
        }
    }

    /** HF's {@code tojson}: {@code json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)}. */
    static final class ToJsonFilter implements AdvancedFilter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indentArg = args.length > 0 ? args[0] : kwargs.get("indent");
            boolean ascii = truthy(kwargs.getOrDefault("ensure_ascii", Boolean.FALSE));
            boolean sort = truthy(kwargs.getOrDefault("sort_keys", Boolean.FALSE));
            String indent = null;
            if (indentArg instanceof Number n) {
                indent = " ".repeat(Math.max(0, n.intValue()));
            } else if (indentArg instanceof CharSequence s) {
                indent = s.toString();
            }
            String itemSep = indent == null ? ", " : ",";
            String keySep = ": ";
            Object seps = kwargs.get("separators");
            if (seps != null) {
                var list = PyValues.asList(seps);
                if (list == null || list.size() != 2) {
                    throw new ChatTemplateException("tojson: separators must be an (item, key) pair");
                }
                itemSep = PyValues.str(list.get(0));
                keySep = PyValues.str(list.get(1));
            }
            return PyValues.toJson(unwrap(var), ascii, indent, itemSep, keySep, sort);
        }

        private static boolean truthy(Object o) {
            return o instanceof Boolean b ? b : o != null;
        }
    }

    /** jinja2's {@code items}: a mapping's (key, value) pairs. */
    static final class ItemsFilter implements Filter {
        @Override
        public String getName() {
            return "items";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            if (var == null) {
                return List.of();
            }
            if (!(var instanceof Map<?, ?> m)) {
                throw new ChatTemplateException("items filter needs a mapping, got " + PyValues.repr(var));
            }
            return PyResolver.items(m);
        }
    }

    /** jinja2's {@code max} / {@code min}, with the optional {@code attribute} keyword. */
    static final class ExtremeFilter implements AdvancedFilter {
        private final String name;
        private final boolean max;

        ExtremeFilter(String name, boolean max) {
            this.name = name;
            this.max = max;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            List<Object> items = var instanceof CharSequence s
                    ? new ArrayList<>(s.toString().codePoints().mapToObj(Character::toString).toList())
                    : PyValues.asList(var);
            if (items == null || items.isEmpty()) {
                return null;
            }
            Object attribute = kwargs.get("attribute");
            Object best = null;
            Object bestKey = null;
            for (Object item : items) {
                Object key = attribute == null ? item
                        : item instanceof Map<?, ?> m ? m.get(String.valueOf(attribute)) : null;
                if (best == null || compare(key, bestKey) * (max ? 1 : -1) > 0) {
                    best = item;
                    bestKey = key;
                }
            }
            return best;
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static int compare(Object a, Object b) {
            if (a instanceof Number x && b instanceof Number y) {
                return Double.compare(x.doubleValue(), y.doubleValue());
            }
            if (a instanceof Comparable ca && b != null && a.getClass() == b.getClass()) {
                return ca.compareTo(b);
            }
            return PyValues.str(a).compareTo(PyValues.str(b));
        }
    }

    private static Object unwrap(Object var) {
        return var instanceof SafeString s ? s.toString() : var;
    }

    /** jinja2's {@code trim(chars=None)}: Python's {@code str.strip}, which knows Unicode whitespace. */
    static final class TrimFilter implements AdvancedFilter {
        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object chars = args.length > 0 ? args[0] : kwargs.get("chars");
            return PyResolver.PyStr.strip(PyValues.str(unwrap(var)), chars == null ? null : chars.toString(), true,
                    true);
        }
    }

    /** {@code length}: code points for strings (Python's len), Jinjava's length otherwise. */
    static final class LengthPyFilter implements Filter {
        private final LengthFilter delegate = new LengthFilter();

        @Override
        public String getName() {
            return "length";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            Object v = unwrap(var);
            if (v instanceof CharSequence s) {
                return (long) s.toString().codePointCount(0, s.length());
            }
            return delegate.filter(var, interpreter, args);
        }
    }

    /** {@code string}: Python's {@code str()}. */
    static final class StringFilter implements Filter {
        @Override
        public String getName() {
            return "string";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return var == null ? "None" : PyValues.str(unwrap(var));
        }
    }
}
