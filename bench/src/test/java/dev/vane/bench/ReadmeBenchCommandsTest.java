package dev.vane.bench;

import dev.vane.cli.Cli;
import dev.vane.cli.Context;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code ./vane bench NAME ...} line of the README names a benchmark main of this module
 * whose flags exist and whose {@code --help} works (the other commands: cli's ReadmeCommandsTest).
 */
class ReadmeBenchCommandsTest {

    @Test
    void everyListedBenchmarkExistsTakesItsFlagsAndHasHelp() throws Exception {
        List<String[]> lines = new ArrayList<>();
        for (String l : Files.readAllLines(Path.of("..", "README.md")))
            if (l.startsWith("    ./vane bench ")) lines.add(l.strip().replaceFirst("\\s#\\s.*$", "").split("\\s+"));
        assertThat(lines).hasSizeGreaterThanOrEqualTo(5);
        for (String[] words : lines) {
            String name = words[2];
            Object bench = Class.forName("dev.vane.bench." + name).getDeclaredConstructor().newInstance();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
            CommandLine cl = Cli.configure(new CommandLine(bench), new Context(ps, ps, Map.of(), Path.of("none.yaml")));
            for (int i = 3; i < words.length; i++)
                if (words[i].startsWith("--"))
                    assertThat(cl.getCommandSpec().findOption(words[i])).as("%s takes %s", name, words[i]).isNotNull();
            assertThat(cl.execute("--help")).as(name).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: vane bench " + name);
            out.reset();
            assertThat(cl.execute("--no-such-flag")).as(name).isEqualTo(2);
            assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("vane bench " + name + ": unknown flag '--no-such-flag'");
        }
    }
}
