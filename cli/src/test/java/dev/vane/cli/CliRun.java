package dev.vane.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Runs the command line as a test would type it, capturing both streams; no {@code VANE_*} variables, no settings file. */
public final class CliRun {

    private CliRun() {}

    /** What a run printed and its exit status. */
    public record Result(int status, String out, String err) {}

    public static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return Cli.execute(new Context(out, err, Map.of(), Path.of("target", "no-settings.yaml")), args);
    }

    /** The command tree, with its streams sunk. */
    public static picocli.CommandLine commandLineForTests() {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return Cli.commandLine(new Context(sink, sink, Map.of(), Path.of("target", "no-settings.yaml")));
    }

    /**
     * The command object {@code args} select, its flags parsed (nothing run).
     *
     * @throws picocli.CommandLine.ParameterException on a usage error
     */
    public static Object parsed(String... args) {
        picocli.CommandLine.ParseResult r = commandLineForTests().parseArgs(args);
        while (r.hasSubcommand()) r = r.subcommand();
        return r.commandSpec().userObject();
    }

    /** {@code command} words, then {@code args}. */
    public static String[] concat(String[] command, String... args) {
        String[] all = new String[command.length + args.length];
        System.arraycopy(command, 0, all, 0, command.length);
        System.arraycopy(args, 0, all, command.length, args.length);
        return all;
    }
}
