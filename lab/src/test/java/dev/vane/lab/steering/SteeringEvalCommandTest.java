package dev.vane.lab.steering;

import dev.vane.steering.plan.LayerRange;
import dev.vane.steering.plan.PlanException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Flag handling of {@code eval steering}; the evaluations themselves are tested in their own classes. */
class SteeringEvalCommandTest {

    @TempDir
    Path tmp;

    @Test
    void theClassifierCommandPrintsTheHeldOutTable() throws Exception {
        Path data = EvalFixtures.corpus(tmp.resolve("corpus"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SteeringEvalCommand.run(new String[] {"classifier", "--data", data.toString()}, new PrintStream(out, true), System.err);
        assertThat(out.toString()).contains("| genre | chunks | correct | accuracy |").contains("| sea | ").contains("| **all** | ");
    }

    @Test
    void layerRangesAndBadFlagsAreReportedByName() {
        assertThat(SteeringEvalCommand.layers("1-3")).isEqualTo(new LayerRange(1, 3));
        assertThat(SteeringEvalCommand.layers("2")).isEqualTo(new LayerRange(2, 2));
        assertThatThrownBy(() -> SteeringEvalCommand.layers("a-b")).hasMessageContaining("--layers must be A-B");
        assertThatThrownBy(() -> SteeringEvalCommand.layers("3-1")).isInstanceOf(PlanException.class);
        assertThatThrownBy(() -> run("genre", "--data", "x", "--target", "news"))
                .hasMessageContaining("exactly one of --vector NAME or --gact NAME");
        assertThatThrownBy(() -> run("genre", "--vector", "v", "--gact", "g")).hasMessageContaining("exactly one");
        assertThatThrownBy(() -> run("genre", "--vector", "v", "--target", "news", "--prompts", "0", "--data", "x"))
                .hasMessageContaining("--prompts: must be >= 1");
        assertThatThrownBy(() -> run("refusal", "--controller", "c", "--mode", "fast")).hasMessageContaining("mode must be code, paper or prompt");
        assertThatThrownBy(() -> run("refusal", "--data", "x", "--registry", "r"))
                .hasMessageContaining("exactly one of --controller NAME or --vector NAME");
        assertThatThrownBy(() -> run("refusal", "--controller", "c", "--vector", "v")).hasMessageContaining("exactly one");
        assertThatThrownBy(() -> run("refusal", "--vector", "v", "--alpha", "2")).hasMessageContaining("--alpha: only with --controller");
        assertThatThrownBy(() -> run("refusal", "--controller", "c", "--scale", "2")).hasMessageContaining("--scale: only with --vector");
        assertThatThrownBy(() -> run("refusal", "--vector", "v", "--phase", "always", "--data", "x", "--registry", "r"))
                .hasMessageContaining("phase");
        assertThatThrownBy(() -> run("probes", "--target", "news", "--data", tmp.resolve("none").toString()))
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> run("judge")).hasMessageContaining("unknown eval steering command 'judge'");
    }

    private static void run(String... args) throws Exception {
        SteeringEvalCommand.run(args, System.out, System.err);
    }
}
