package dev.vane.cli;

import dev.vane.steering.plan.PlanException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How every command reports what went wrong, on stderr, prefixed by the command's name:
 * <ul>
 *   <li>a usage error (unknown flag, missing flag or value, bad value): one line naming the flag,
 *       then the command's synopsis and where its help is; exit status 2;</li>
 *   <li>a failure of the work (bad data, model or registry): one line; exit status 1. The stack
 *       trace follows only when {@code VANE_DEBUG} is set.</li>
 * </ul>
 */
final class Errors implements IParameterExceptionHandler, IExecutionExceptionHandler {

    static final int USAGE = 2, FAILED = 1;

    private final PrintStream err;
    private final boolean debug;

    Errors(PrintStream err, boolean debug) {
        this.err = err;
        this.debug = debug;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        err.println(name + ": " + usageMessage(ex, args));
        err.print("usage: " + HelpFormat.synopsis(cmd.getCommandSpec()));
        err.println("See '" + name + " --help'.");
        if (debug) ex.printStackTrace(err);
        err.flush();
        return USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + message(ex));
        if (debug) ex.printStackTrace(err);
        err.flush();
        return FAILED;
    }

    /** One line for a failure: its message, with the field of a plan error and the file of an I/O error. */
    static String message(Throwable e) {
        if (e instanceof UncheckedIOException u) return message(u.getCause());
        if (e instanceof PlanException p) return p.field() + ": " + p.getMessage();
        if (e instanceof FileSystemException f && f.getFile() != null && f.getMessage().equals(f.getFile()))
            return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : "not found");
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** The one line of a usage error, naming the flag. */
    static String usageMessage(ParameterException ex, String[] args) {
        CommandSpec spec = ex.getCommandLine().getCommandSpec();
        // a misspelt flag first: picocli checks required flags before it reports arguments it did not match
        List<String> unmatched = ex instanceof UnmatchedArgumentException u ? u.getUnmatched() : ex.getCommandLine().getUnmatchedArguments();
        if (!unmatched.isEmpty()) {
            String first = unmatched.get(0);
            if (first.startsWith("-"))
                return "unknown flag '" + first.split("=", 2)[0] + "' (known: " + known(spec) + ")";
            if (!spec.subcommands().isEmpty())
                return "unknown command '" + first + "' (" + String.join(", ", commands(spec)) + ")";
            return "unexpected argument '" + first + "' (flags are --name value)";
        }
        if (ex instanceof MissingParameterException m) {
            List<String> names = m.getMissing().stream().map(Errors::name).toList();
            // picocli's wording for a flag without its value: "Missing required parameter for option '--data' (DIR)",
            // or "Expected parameter for option '--input' but found '--vocab-size'"
            if (ex.getMessage().startsWith("Missing required parameter for option") || ex.getMessage().startsWith("Expected parameter"))
                return names.get(0) + ": missing value";
            return String.join(", ", names) + ": required";
        }
        if (ex instanceof OverwrittenOptionException o) {
            String flag = name(o.getOverwritten());
            long times = Arrays.stream(args).filter(a -> a.equals(flag) || a.startsWith(flag + "=")).count();
            return flag + ": given " + times + " times";
        }
        if (ex.getCause() instanceof TypeConversionException t && ex.getArgSpec() != null) {
            String flag = name(ex.getArgSpec());
            String m = t.getMessage().startsWith(flag) ? t.getMessage() : flag + ": " + t.getMessage();
            boolean typed = Arrays.stream(args).anyMatch(a -> a.equals(flag) || a.startsWith(flag + "="));
            if (!typed && ex.getCommandLine().getDefaultValueProvider() instanceof ServeDefaults d)
                m += " (from " + d.origin(flag) + ")";
            return m;
        }
        if (ex.getMessage().startsWith("Missing required subcommand"))
            return "missing command (" + String.join(", ", commands(spec)) + ")";
        return ex.getMessage();
    }

    private static String name(ArgSpec a) {
        return a instanceof OptionSpec o ? o.longestName() : a.paramLabel();
    }

    private static String known(CommandSpec spec) {
        return spec.options().stream().filter(o -> !o.hidden() && !o.usageHelp()).map(OptionSpec::longestName).sorted()
                .collect(Collectors.joining(", "));
    }

    private static List<String> commands(CommandSpec spec) {
        return spec.subcommands().keySet().stream().filter(n -> !n.equals("help")).toList();
    }
}
