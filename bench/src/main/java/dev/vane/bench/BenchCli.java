package dev.vane.bench;

import dev.vane.cli.Cli;
import dev.vane.cli.Context;
import picocli.CommandLine;

/** Runs a benchmark's main with the command line's parser set-up: {@code --help}, typed flags, one-line errors, exit 2 on bad flags. */
final class BenchCli {

    private BenchCli() {}

    /** Parses {@code args} into {@code bench}'s flags and runs it; exits with the status unless it is 0. */
    static void main(Object bench, String[] args) {
        int status = Cli.configure(new CommandLine(bench), Context.system()).execute(args);
        if (status != 0) System.exit(status);
    }
}
