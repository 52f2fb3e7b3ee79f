package dev.vane.cli;

import dev.vane.steering.artifact.ArtifactException;
import dev.vane.steering.plan.PlanException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A command that does work (not a group of commands): its picocli fields are the flags, and
 * {@link #call} turns them into the typed options of the work it runs. Anything that goes wrong
 * while the options are built is a usage error (exit 2); anything the work throws is a failure
 * (exit 1). Both are reported by {@link Errors}.
 */
public abstract class Leaf implements Callable<Integer> {

    @Spec
    protected CommandSpec spec;

    private Context context = Context.system();

    /** Set by {@link Cli#commandLine} before anything runs. */
    final void context(Context context) {
        this.context = context;
    }

    protected final Context context() {
        return context;
    }

    protected final PrintStream out() {
        return context.out();
    }

    protected final PrintStream err() {
        return context.err();
    }

    /**
     * Builds options; a bad value found on the way ({@link IllegalArgumentException},
     * {@link PlanException}, {@link ArtifactException}, messages naming the flag) is a usage error.
     */
    protected final <T> T options(Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException | PlanException | ArtifactException e) {
            throw usage(Errors.message(e));
        }
    }

    /** A usage error of this command: one line, exit 2. */
    protected final ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** The whole command line as typed, {@code vane} first, for an artifact's provenance. */
    protected final String typed() {
        List<String> args = spec.root().commandLine().getParseResult().originalArgs();
        return "vane " + quote(args.toArray(String[]::new));
    }

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./=:,+-]+");

    /** The arguments as a shell would need them typed. */
    static String quote(String[] args) {
        return Arrays.stream(args).map(a -> PLAIN.matcher(a).matches() ? a : "'" + a.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
    }
}
