package dev.vane.steering.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code --name value} command-line flags: every flag takes one value and may repeat; flags
 * outside {@code known} and missing values are errors that name the flag.
 */
final class Flags {

    private final Map<String, List<String>> values;

    private Flags(Map<String, List<String>> values) {
        this.values = values;
    }

    static Flags parse(String[] args, Set<String> known) {
        Map<String, List<String>> v = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + a + "' (flags are --name value)");
            String name = a.substring(2);
            if (!known.contains(name)) throw new IllegalArgumentException("unknown flag --" + name + " (known: --" + String.join(", --", known) + ")");
            if (i + 1 >= args.length) throw new IllegalArgumentException("--" + name + " needs a value");
            v.computeIfAbsent(name, k -> new ArrayList<>()).add(args[++i]);
        }
        return new Flags(v);
    }

    boolean has(String name) { return values.containsKey(name); }

    Optional<String> get(String name) {
        List<String> v = values.get(name);
        if (v == null) return Optional.empty();
        if (v.size() > 1) throw new IllegalArgumentException("--" + name + " given " + v.size() + " times");
        return Optional.of(v.get(0));
    }

    List<String> all(String name) { return values.getOrDefault(name, List.of()); }

    String require(String name) {
        return get(name).orElseThrow(() -> new IllegalArgumentException("--" + name + " is required"));
    }

    Path path(String name) { return Path.of(require(name)); }

    Path path(String name, String fallback) { return Path.of(get(name).orElse(fallback)); }

    int integer(String name, int fallback, int min) {
        Optional<String> s = get(name);
        if (s.isEmpty()) return fallback;
        int v;
        try {
            v = Integer.parseInt(s.get());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + s.get() + "'");
        }
        if (v < min) throw new IllegalArgumentException("--" + name + " must be >= " + min + ", got " + v);
        return v;
    }

    double number(String name, double fallback) {
        Optional<String> s = get(name);
        if (s.isEmpty()) return fallback;
        try {
            double v = Double.parseDouble(s.get());
            if (!Double.isFinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a finite number, got '" + s.get() + "'");
        }
    }

    boolean bool(String name, boolean fallback) {
        Optional<String> s = get(name);
        if (s.isEmpty()) return fallback;
        return switch (s.get()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("--" + name + " must be true or false, got '" + s.get() + "'");
        };
    }
}
