package dev.vane.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/** {@code vane help [COMMAND ...]}: the usage of the root (the whole command tree) or of the command named. */
@Command(name = "help", description = "Print the command tree, or the flags of the COMMAND named (as COMMAND --help does).")
final class HelpCommand extends Leaf {

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "a command, e.g. calibrate vectors")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        CommandLine at = spec.root().commandLine();
        for (String word : command) {
            CommandLine sub = at.getSubcommands().get(word);
            if (sub == null)
                throw usage("unknown command '" + String.join(" ", command) + "' (" + String.join(", ", at.getSubcommands().keySet()) + ")");
            at = sub;
        }
        at.usage(out());
        return 0;
    }
}
