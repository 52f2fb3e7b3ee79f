package dev.vane.lab.cli;

import dev.vane.engine.model.ComputeDType;
import dev.vane.steering.artifact.ArtifactException;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.LayerRange;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The {@code --flag value} pairs and bare {@code --switch}es of a command line, with typed readers
 * whose errors name the flag ({@code --prompts: must be >= 1, got 0}). Shared by the
 * {@code calibrate} and {@code eval steering} / {@code data steering} commands so that the flags
 * they have in common read alike. A valued flag may be given more than once; {@link #all} reads
 * every value, the single-value readers reject repeats.
 */
public final class Flags {

    private final Map<String, List<String>> values;
    private final Set<String> switches;

    private Flags(Map<String, List<String>> values, Set<String> switches) {
        this.values = values;
        this.switches = switches;
    }

    /**
     * @param valued   flags that take a value (with their {@code --})
     * @param switches flags that take none
     * @throws IllegalArgumentException on an unknown flag, a flag without its value, or a bare argument
     */
    public static Flags parse(List<String> args, Set<String> valued, Set<String> switches) {
        Map<String, List<String>> v = new LinkedHashMap<>();
        Set<String> on = new HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (switches.contains(a)) {
                on.add(a);
            } else if (valued.contains(a)) {
                if (i + 1 >= args.size()) throw new IllegalArgumentException(a + ": missing value");
                v.computeIfAbsent(a, k -> new ArrayList<>()).add(args.get(++i));
            } else if (a.startsWith("--")) {
                Set<String> known = new TreeSet<>(valued);
                known.addAll(switches);
                throw new IllegalArgumentException("unknown flag '" + a + "' (known: " + String.join(", ", known) + ")");
            } else {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (flags are --name value)");
            }
        }
        return new Flags(v, on);
    }

    /** {@link #parse} that also requires each of {@code required} to be given. */
    public static Flags parse(List<String> args, Set<String> valued, Set<String> switches, List<String> required) {
        Flags f = parse(args, valued, switches);
        for (String r : required) f.require(r);
        return f;
    }

    public boolean has(String flag) { return values.containsKey(flag); }

    public boolean on(String flag) { return switches.contains(flag); }

    /** The flag's value, if given once; an error if given more than once. */
    public Optional<String> opt(String flag) {
        List<String> v = values.get(flag);
        if (v == null) return Optional.empty();
        if (v.size() > 1) throw new IllegalArgumentException(flag + ": given " + v.size() + " times");
        return Optional.of(v.get(0));
    }

    /** The flag's value, or null. */
    public String get(String flag) { return opt(flag).orElse(null); }

    public String get(String flag, String def) { return opt(flag).orElse(def); }

    /** Every value given for a repeatable flag, in order. */
    public List<String> all(String flag) { return values.getOrDefault(flag, List.of()); }

    public String require(String flag) {
        return opt(flag).orElseThrow(() -> new IllegalArgumentException(flag + ": required"));
    }

    public Path path(String flag) { return Path.of(require(flag)); }

    public Path path(String flag, String fallback) { return Path.of(get(flag, fallback)); }

    /** {@code --name}, checked against the registry's naming rule. */
    public String name() {
        try {
            return ArtifactRegistry.validateName(require("--name"));
        } catch (ArtifactException e) {
            throw new IllegalArgumentException("--" + e.getMessage());
        }
    }

    public int integer(String flag, int def) { return parse(flag, def, Integer::parseInt); }

    public long longInteger(String flag, long def) { return parse(flag, def, Long::parseLong); }

    /** A finite number. */
    public double number(String flag, double def) {
        double x = parse(flag, def, Double::parseDouble);
        if (!Double.isFinite(x)) throw new IllegalArgumentException(flag + ": must be a finite number, got " + x);
        return x;
    }

    /** An integer flag that must be at least {@code min}. */
    public int atLeast(String flag, int def, int min) {
        int n = integer(flag, def);
        if (n < min) throw new IllegalArgumentException(flag + ": must be >= " + min + ", got " + n);
        return n;
    }

    /** A number flag that must lie strictly between 0 and 1. */
    public double fraction(String flag, double def) {
        double f = number(flag, def);
        if (!(f > 0 && f < 1)) throw new IllegalArgumentException(flag + ": must be in (0, 1), got " + f);
        return f;
    }

    /** A number flag that must be positive. */
    public double positive(String flag, double def) {
        double x = number(flag, def);
        if (!(x > 0)) throw new IllegalArgumentException(flag + ": must be > 0, got " + x);
        return x;
    }

    /** {@code true} or {@code false}. */
    public boolean bool(String flag, boolean def) {
        return switch (get(flag, String.valueOf(def))) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(flag + ": must be true or false, got '" + get(flag) + "'");
        };
    }

    /** {@code --dtype} (default f32). */
    public ComputeDType dtype() {
        try {
            return ComputeDType.parse(get("--dtype", "f32"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--dtype: " + e.getMessage());
        }
    }

    public Optional<LayerRange> layers(String flag) {
        return opt(flag).map(s -> LayerRange.parse(s, flag));
    }

    private <T> T parse(String flag, T def, Function<String, T> parse) {
        String s = get(flag);
        if (s == null) return def;
        try {
            return parse.apply(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": not a number: '" + s + "'");
        }
    }
}
