package dev.vane.lab.eval;

import dev.vane.cli.CliRun;
import dev.vane.cli.CliRun.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code eval layer-skip} end to end on the demo model over a tiny data folder. */
class LayerSkipEvalTest {

    static Path demoModel() {
        return dev.vane.steering.DemoModelDir.path();
    }

    private static Path data(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("brown"));
        Files.createDirectories(dir.resolve("icl/tasks"));
        Files.writeString(dir.resolve("brown/test.txt"), "The jury said it did find that the city had been run well. ".repeat(80));
        Files.writeString(dir.resolve("icl/tasks/upper.jsonl"), """
                {"input":"cat","output":"CAT","split":"train"}
                {"input":"dog","output":"DOG","split":"train"}
                {"input":"sun","output":"SUN","split":"test"}
                {"input":"map","output":"MAP","split":"test"}
                """);
        return dir;
    }

    /** {@code vane eval layer-skip ARGS}; what it printed, after checking that it succeeded. */
    private static String run(String... args) {
        Result r = result(args);
        assertThat(r.status()).as(r.err()).isZero();
        return r.out();
    }

    private static Result result(String... args) {
        return CliRun.run(CliRun.concat(new String[] {"eval", "layer-skip"}, args));
    }

    @Test
    void printsOneRowPerModeWithUsageAndSkippedShares(@TempDir Path tmp) throws Exception {
        Path d = data(tmp);
        String base = run("--model", demoModel().toString(), "--data", d.toString(), "--windows", "1", "--per-task", "2",
                "--shots", "2", "--header");
        assertThat(base).contains("| mode | α |").contains("| layers skipped, prompt | layers skipped, generation |")
                .contains("| none | – | – | 100% (all run) | 100% (all run) | 0% | 0% |");
        String exit = run("--model", demoModel().toString(), "--data", d.toString(), "--mode", "exit", "--alpha", "0.9",
                "--windows", "1", "--per-task", "2", "--shots", "2");
        assertThat(exit).startsWith("| exit | 0.9 | – | ");
        String[] cells = exit.split("\\|");
        double promptUsage = Double.parseDouble(cells[4].trim().replace("%", ""));
        double skippedPrompt = Double.parseDouble(cells[6].trim().replace("%", ""));
        double skippedGeneration = Double.parseDouble(cells[7].trim().replace("%", ""));
        assertThat(promptUsage).isBetween(0.0, 100.0);
        assertThat(skippedPrompt).isBetween(0.0, 100.0);
        assertThat(skippedGeneration).isGreaterThan(0.0); // alpha 0.9 exits early in some generated token
        String trace = run("--model", demoModel().toString(), "--data", d.toString(), "--mode", "trace", "--windows", "1",
                "--per-task", "2", "--shots", "2");
        // trace changes nothing: same perplexity and accuracy as the baseline
        String[] baseCells = base.lines().filter(l -> l.startsWith("| none")).findFirst().orElseThrow().split("\\|");
        assertThat(trace.split("\\|")[8]).isEqualTo(baseCells[8]); // perplexity
        assertThat(trace.split("\\|")[9]).isEqualTo(baseCells[9]); // ICL accuracy
        assertThat(trace.split("\\|")[6].trim()).isEqualTo("0.0%");
        assertThat(trace.split("\\|")[7].trim()).isEqualTo("0.0%");
    }

    @Test
    void badArgumentsAreNamed(@TempDir Path tmp) throws Exception {
        Result noModel = result("--data", tmp.toString());
        assertThat(noModel.status()).isEqualTo(2);
        assertThat(noModel.err()).contains("--model");
        Result warp = result("--model", demoModel().toString(), "--data", data(tmp).toString(), "--mode", "warp");
        assertThat(warp.status()).isEqualTo(2);
        assertThat(warp.err()).contains("mode");
    }
}
