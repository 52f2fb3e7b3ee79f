package dev.vane.cli;

import dev.vane.server.ServerSettings;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a run of the command line talks to: its two output streams, the environment (the
 * {@code VANE_*} settings of {@code serve}, {@code VANE_DEBUG}) and the settings file of
 * {@code serve}. Tests pass their own; {@link #system()} is the process's.
 */
public record Context(PrintStream out, PrintStream err, Map<String, String> env, Path config) {

    public Context {
        env = Map.copyOf(env);
    }

    public static Context system() {
        return new Context(System.out, System.err, System.getenv(), ServerSettings.DEFAULT_CONFIG);
    }

    /** {@code VANE_DEBUG} set: failures print their stack trace too. */
    boolean debug() {
        String d = env.get("VANE_DEBUG");
        return d != null && !d.isEmpty() && !d.equals("0") && !d.equalsIgnoreCase("false");
    }
}
