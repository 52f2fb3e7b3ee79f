package dev.vane.cli;

import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The look of every usage message, and {@code -h}/{@code --help} on every command: {@code usage: } as heading, flags shown as they are typed in
 * Vane's docs ({@code --model DIR}; {@code --model=DIR} is accepted too), no colours, and on
 * {@code vane --help} the whole command tree.
 */
final class HelpFormat {

    private HelpFormat() {}

    private static final int WIDTH = 100, PATH_COLUMN = 42;

    /** Applies the format to {@code cl} and every command below it. */
    static CommandLine apply(CommandLine cl) {
        cl.setColorScheme(Help.defaultColorScheme(Ansi.OFF));
        Help.IParamLabelRenderer labels = new SpacedLabels();
        cl.setHelpFactory((spec, colors) -> new Help(spec, colors) {
            @Override
            public IParamLabelRenderer parameterLabelRenderer() {
                return labels;
            }
        });
        cl.setUsageHelpWidth(WIDTH);
        for (CommandLine c : all(cl)) {
            CommandSpec spec = c.getCommandSpec();
            if (spec.options().stream().noneMatch(OptionSpec::usageHelp))
                spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help and exit.").build());
            UsageMessageSpec u = spec.usageMessage();
            u.sectionMap().put(UsageMessageSpec.SECTION_KEY_SYNOPSIS, help -> synopsis(spec));
            u.synopsisHeading("usage: ").optionListHeading("%nFlags:%n").commandListHeading("%nCommands:%n");
        }
        cl.getCommandSpec().usageMessage().sectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, help -> tree(cl));
        return cl;
    }

    /**
     * {@code vane calibrate vectors [-h] --model DIR ... [--batch N] ...}: the flags in the order
     * they are declared (the required ones first), wrapped between flags, never inside one.
     */
    static String synopsis(CommandSpec spec) {
        List<String> words = new ArrayList<>();
        words.add(spec.qualifiedName());
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp()) {
                words.add(1, "[-h]");
                continue;
            }
            if (o.hidden()) continue;
            String flag = o.longestName() + (o.arity().max() == 0 ? "" : " " + o.paramLabel() + (o.arity().max() > 1 ? "..." : ""));
            words.add(o.required() ? flag : "[" + flag + "]");
        }
        spec.positionalParameters().forEach(p -> words.add(p.required() ? p.paramLabel() : "[" + p.paramLabel() + "...]"));
        // the root runs serve when no command is named (Cli#withDefaultCommand); a group needs one
        if (!spec.subcommands().isEmpty()) words.add(spec.parent() == null ? "[COMMAND]" : "COMMAND");
        int indent = "usage: ".length() + spec.qualifiedName().length() + 1;
        StringBuilder b = new StringBuilder(words.get(0));
        int column = "usage: ".length() + words.get(0).length();
        for (String w : words.subList(1, words.size())) {
            if (column + 1 + w.length() > WIDTH) {
                b.append('\n').append(" ".repeat(indent)).append(w);
                column = indent + w.length();
            } else {
                b.append(' ').append(w);
                column += 1 + w.length();
            }
        }
        return b.append('\n').toString();
    }

    /** {@code cl} and every command below it, depth first. */
    static List<CommandLine> all(CommandLine cl) {
        List<CommandLine> out = new ArrayList<>();
        out.add(cl);
        for (CommandLine sub : cl.getSubcommands().values()) out.addAll(all(sub));
        return out;
    }

    /**
     * Every command of the tree, one line each with the first line of its description; a group
     * lists its commands as alternatives ({@code vane train lm|tokenizer}).
     */
    static String tree(CommandLine root) {
        StringBuilder b = new StringBuilder();
        for (CommandLine c : all(root)) {
            if (c == root) continue;
            CommandSpec spec = c.getCommandSpec();
            Map<String, CommandLine> subs = spec.subcommands();
            String path = spec.qualifiedName() + (subs.isEmpty() ? "" : " " + String.join("|", subs.keySet()));
            String[] description = spec.usageMessage().description();
            String what = description.length == 0 ? "" : description[0];
            b.append("  ").append(path);
            int column = path.length() + 2;
            if (column >= PATH_COLUMN) {
                b.append('\n');
                column = 0;
            }
            for (String word : what.split(" ")) {
                if (column > PATH_COLUMN && column + 1 + word.length() > WIDTH) {
                    b.append('\n');
                    column = 0;
                }
                if (column < PATH_COLUMN) {
                    b.append(" ".repeat(PATH_COLUMN - column));
                    column = PATH_COLUMN;
                } else {
                    b.append(' ');
                    column++;
                }
                b.append(word);
                column += word.length();
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** In the flag list, {@code --flag LABEL} (or {@code --flag LABEL...}) instead of picocli's {@code --flag=LABEL}. */
    private static final class SpacedLabels implements Help.IParamLabelRenderer {
        @Override
        public Ansi.Text renderParameterLabel(ArgSpec arg, Ansi ansi, List<Ansi.IStyle> styles) {
            if (arg.arity().max() == 0) return ansi.text("");
            String label = arg.paramLabel() + (arg.arity().max() > 1 ? "..." : "");
            return ansi.apply((arg.isOption() ? " " : "") + label, styles);
        }

        @Override
        public String separator() {
            return " ";
        }
    }
}
