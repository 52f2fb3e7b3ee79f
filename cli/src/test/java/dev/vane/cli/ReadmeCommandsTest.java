package dev.vane.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README is exact about the command line: every {@code ./vane ...} line of its code blocks
 * names commands that exist (alternatives written {@code a|b}), with flags those commands take,
 * and {@code --help} works on each; its "Command line" section lists every command of the tree.
 * {@code ./vane test} and {@code ./vane bench NAME} are the launcher's own (bench's
 * ReadmeBenchCommandsTest checks the benchmarks).
 */
class ReadmeCommandsTest {

    private static final Path ROOT = Path.of("..");

    /** A {@code ./vane} line of a code block: its line number and its words after {@code ./vane}. */
    private record Line(int number, String text, List<String> words, boolean inCommandSection) {}

    private static List<Line> readmeLines() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("README.md"));
        List<Line> out = new ArrayList<>();
        boolean fenced = false, commandSection = false, previousBlank = true, inBlock = false;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("## ")) commandSection = l.equals("## Command line");
            if (l.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            boolean indented = l.startsWith("    ") && (previousBlank || inBlock);
            inBlock = indented || (inBlock && l.isBlank());
            previousBlank = l.isBlank();
            if (!(fenced || indented) || !l.strip().startsWith("./vane ")) continue;
            StringBuilder text = new StringBuilder(l.strip());
            while (text.toString().endsWith("\\") && i + 1 < lines.size()) {
                text.setLength(text.length() - 1);
                text.append(' ').append(lines.get(++i).strip());
            }
            String command = text.toString().replaceFirst("\\s#\\s.*$", "");
            List<String> words = List.of(command.substring("./vane ".length()).strip().split("\\s+"));
            out.add(new Line(i + 1, text.toString(), words, commandSection));
        }
        return out;
    }

    /** The first words of the launcher's own commands ({@code case} arms of the {@code vane} script). */
    private static Set<String> launcherCommands() throws IOException {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^  ([a-z]+)\\)$").matcher(Files.readString(ROOT.resolve("vane")));
        while (m.find()) out.add(m.group(1));
        return out;
    }

    /** The commands a line's words name, following alternatives; the root alone when its first word is no command. */
    private static List<CommandLine> resolve(CommandLine root, List<String> words) {
        List<CommandLine> at = List.of(root);
        for (String w : words) {
            List<CommandLine> next = new ArrayList<>();
            for (CommandLine c : at)
                for (String alternative : w.split("\\|")) {
                    CommandLine sub = c.getSubcommands().get(alternative);
                    if (sub == null) return at;
                    next.add(sub);
                }
            at = next;
        }
        return at;
    }

    private static final Pattern FLAG = Pattern.compile("^[\\[(]*(--[a-z][a-z0-9-]*)");

    @Test
    void everyListedCommandExistsTakesItsFlagsAndHasHelp() throws IOException {
        CommandLine root = CliRun.commandLineForTests();
        Set<String> launcher = launcherCommands();
        assertThat(launcher).contains("test", "bench");
        List<Line> lines = readmeLines();
        assertThat(lines).hasSizeGreaterThan(10);
        for (Line line : lines) {
            if (launcher.contains(line.words().get(0))) continue;
            List<CommandLine> commands = resolve(root, line.words());
            assertThat(commands).as("README.md:%d names no command: %s", line.number(), line.text())
                    .noneMatch(c -> c == root);
            int depth = commands.get(0).getCommandSpec().qualifiedName().split(" ").length - 1;
            for (String w : line.words().subList(depth, line.words().size())) {
                Matcher m = FLAG.matcher(w);
                if (!m.find()) continue;
                for (CommandLine c : commands)
                    assertThat(c.getCommandSpec().findOption(m.group(1)))
                            .as("README.md:%d: %s takes no %s", line.number(), c.getCommandSpec().qualifiedName(), m.group(1))
                            .isNotNull();
            }
            for (CommandLine c : commands) {
                String name = c.getCommandSpec().qualifiedName();
                String[] help = CliRun.concat(name.substring("vane ".length()).split(" "), "--help");
                CliRun.Result r = CliRun.run(help);
                assertThat(r.status()).as("README.md:%d: %s --help: %s", line.number(), name, r.err()).isZero();
                assertThat(r.out()).startsWith("usage: " + name);
            }
        }
    }

    @Test
    void theCommandLineSectionListsEveryCommand() throws IOException {
        CommandLine root = CliRun.commandLineForTests();
        Set<String> listed = new TreeSet<>();
        for (Line line : readmeLines())
            if (line.inCommandSection())
                for (CommandLine c : resolve(root, line.words())) listed.add(c.getCommandSpec().qualifiedName());
        Set<String> leaves = new LinkedHashSet<>();
        for (CommandLine c : HelpFormat.all(root))
            if (c.getSubcommands().isEmpty()) leaves.add(c.getCommandSpec().qualifiedName());
        assertThat(listed).containsExactlyInAnyOrderElementsOf(leaves);
    }
}
