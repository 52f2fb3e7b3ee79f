package dev.vane.steering.calibrate;

import dev.vane.engine.model.ComputeDType;
import dev.vane.steering.artifact.ArtifactException;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.LayerRange;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The {@code --flag value} pairs and bare switches of a {@code calibrate} command, with typed
 * readers whose errors name the flag. Shared by the {@code calibrate} commands so that the flags
 * they have in common ({@code --name}, {@code --batch}, {@code --dtype}, ...) read alike.
 */
record Flags(Map<String, String> values, Set<String> switches) {

    /** Flags every {@code calibrate} command requires. */
    static final List<String> REQUIRED = List.of("--model", "--prompts", "--name", "--registry");

    /**
     * @param valued   flags that take a value
     * @param switches flags that take none
     * @throws IllegalArgumentException on an unknown, repeated, valueless or missing required flag
     */
    static Flags parse(List<String> args, Set<String> valued, Set<String> switches) {
        Map<String, String> v = new LinkedHashMap<>();
        Set<String> on = new HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (switches.contains(a)) {
                on.add(a);
            } else if (valued.contains(a)) {
                if (i + 1 >= args.size()) throw new IllegalArgumentException(a + ": missing value");
                if (v.put(a, args.get(++i)) != null) throw new IllegalArgumentException(a + ": given twice");
            } else {
                throw new IllegalArgumentException("unknown flag '" + a + "'");
            }
        }
        for (String required : REQUIRED)
            if (valued.contains(required) && !v.containsKey(required))
                throw new IllegalArgumentException(required + ": required");
        return new Flags(v, on);
    }

    String get(String flag) { return values.get(flag); }

    String get(String flag, String def) { return values.getOrDefault(flag, def); }

    boolean on(String flag) { return switches.contains(flag); }

    Path path(String flag) { return Path.of(values.get(flag)); }

    /** {@code --name}, checked against the registry's naming rule. */
    String name() {
        try {
            return ArtifactRegistry.validateName(values.get("--name"));
        } catch (ArtifactException e) {
            throw new IllegalArgumentException("--" + e.getMessage());
        }
    }

    int integer(String flag, int def) { return parse(flag, def, Integer::parseInt); }

    long longInteger(String flag, long def) { return parse(flag, def, Long::parseLong); }

    double number(String flag, double def) { return parse(flag, def, Double::parseDouble); }

    /** An integer flag that must be at least {@code min}. */
    int atLeast(String flag, int def, int min) {
        int n = integer(flag, def);
        if (n < min) throw new IllegalArgumentException(flag + ": must be >= " + min + ", got " + n);
        return n;
    }

    /** A number flag that must lie strictly between 0 and 1. */
    double fraction(String flag, double def) {
        double f = number(flag, def);
        if (!(f > 0 && f < 1)) throw new IllegalArgumentException(flag + ": must be in (0, 1), got " + f);
        return f;
    }

    /** A number flag that must be finite and positive. */
    double positive(String flag, double def) {
        double x = number(flag, def);
        if (!(x > 0) || !Double.isFinite(x)) throw new IllegalArgumentException(flag + ": must be > 0, got " + x);
        return x;
    }

    ComputeDType dtype() {
        try {
            return ComputeDType.parse(values.getOrDefault("--dtype", "f32"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--dtype: " + e.getMessage());
        }
    }

    Optional<LayerRange> layers(String flag) {
        return Optional.ofNullable(values.get(flag)).map(s -> LayerRange.parse(s, flag));
    }

    private <T> T parse(String flag, T def, Function<String, T> parse) {
        String s = values.get(flag);
        if (s == null) return def;
        try {
            return parse.apply(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": not a number: '" + s + "'");
        }
    }
}
