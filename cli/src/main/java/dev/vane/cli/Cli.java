package dev.vane.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.Set;

/**
 * The {@code vane} command line, one picocli tree ({@link VaneCommand}): {@code serve} (the
 * default), {@code train}, {@code data}, {@code convert}, {@code calibrate}, {@code artifacts},
 * {@code eval}, {@code help}. {@code vane --help} lists every command; each command's
 * {@code --help} lists its flags. Exit status 0 done, 1 failed, 2 usage error ({@link Errors}).
 */
public final class Cli {

    private Cli() {}

    /** Runs the command; exits with its status unless that is 0 (a server started by serve keeps running). */
    public static void main(String[] args) {
        int status = execute(Context.system(), args);
        if (status != 0) System.exit(status);
    }

    /** Runs the command line {@code args} in {@code context}; returns the exit status. */
    public static int execute(Context context, String... args) {
        return commandLine(context).execute(withDefaultCommand(args));
    }

    /** The command tree wired to {@code context}, with Vane's value types, help format and error reports. */
    public static CommandLine commandLine(Context context) {
        CommandLine cl = configure(new CommandLine(new VaneCommand()), context);
        for (CommandLine c : HelpFormat.all(cl))
            if (c.getCommandSpec().userObject() instanceof Leaf leaf) leaf.context(context);
        cl.getSubcommands().get("serve").setDefaultValueProvider(new ServeDefaults(context.env(), context.config()));
        return cl;
    }

    /**
     * Vane's parser set-up for any command tree (the benchmarks' mains use it too): flags as
     * {@code --flag value} or {@code --flag=value}, no {@code @file} expansion, Vane's value types
     * ({@link Converters}), help format ({@link HelpFormat}) and error reports ({@link Errors}).
     */
    public static CommandLine configure(CommandLine cl, Context context) {
        cl.setExpandAtFiles(false);
        cl.setOut(new PrintWriter(context.out(), true));
        cl.setErr(new PrintWriter(context.err(), true));
        Errors errors = new Errors(context.err(), context.debug());
        cl.setParameterExceptionHandler(errors);
        cl.setExecutionExceptionHandler(errors);
        Converters.register(cl);
        return HelpFormat.apply(cl);
    }

    private static final Set<String> HELP = Set.of("-h", "--help");

    /** {@code serve} when no command is named: no arguments, or flags only ({@code vane --port 9000}). */
    static String[] withDefaultCommand(String[] args) {
        if (args.length > 0 && (!args[0].startsWith("-") || HELP.contains(args[0]))) return args;
        String[] out = new String[args.length + 1];
        out[0] = "serve";
        System.arraycopy(args, 0, out, 1, args.length);
        return out;
    }

}
