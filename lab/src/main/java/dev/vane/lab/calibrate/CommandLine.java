package dev.vane.lab.calibrate;

import dev.vane.engine.tokenizer.TokenizerException;
import dev.vane.engine.weights.CheckpointException;
import dev.vane.steering.artifact.ArtifactException;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the {@code calibrate} commands share around their work: {@code --help}, a usage error
 * (exit 2) for bad flags, a failure (exit 1) for bad data, model or registry, and the command line
 * recorded in the artifact's provenance.
 */
final class CommandLine {

    /** The work of a command, given its parsed options and the command line to record. */
    @FunctionalInterface
    interface Action<O> {
        void run(O options, String command);
    }

    private CommandLine() {}

    /**
     * @param command e.g. {@code "vane calibrate gact"}, the prefix of messages and of the recorded line
     * @return the exit status: 0 done, 1 failed, 2 usage error
     */
    static <O> int run(String command, String usage, String[] args, PrintStream out, PrintStream err,
                       Function<List<String>, O> parse, Action<O> action) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.print(usage);
            return 0;
        }
        O options;
        try {
            options = parse.apply(List.of(args));
        } catch (IllegalArgumentException e) {
            err.println(command + ": " + e.getMessage());
            err.print(usage);
            return 2;
        }
        try {
            action.run(options, command + " " + quote(args));
            return 0;
        } catch (IllegalArgumentException | ArtifactException | TokenizerException | CheckpointException
                 | UncheckedIOException e) {
            err.println(command + ": " + e.getMessage());
            return 1;
        }
    }

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./=:,+-]+");

    /** The arguments as a shell would need them typed. */
    static String quote(String[] args) {
        return Arrays.stream(args).map(a -> PLAIN.matcher(a).matches() ? a : "'" + a.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
    }
}
