package dev.vane.steering.control;

import dev.vane.engine.text.Snippet;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.PlanException;

import java.util.List;
import java.util.regex.Pattern;

/** A named, ordered list of interventions that requests select by name (design.md §4). */
public record Profile(String name, List<InterventionSpec> interventions) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public Profile {
        checkName(name);
        interventions = List.copyOf(interventions);
    }

    /**
     * Profile names: lower-case letters, digits, '.', '_', '-', at most 64, starting with a letter
     * or digit; not {@code none}, which a request writes to run no profile ({@link ProfileChoice}).
     */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches())
            throw new PlanException("name", "profile name must match " + NAME.pattern() + ", got '" + Snippet.of(name) + "'");
        if (name.equals(ProfileChoice.NONE_WORD))
            throw new PlanException("name", "profile name 'none' is reserved: a request writes \"profile\": \"none\" to run no profile");
        return name;
    }
}
