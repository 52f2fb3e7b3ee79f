package dev.vane.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parser's behaviour shared by every command: values, switches, repeats and defaults; usage
 * errors of one line naming the flag (exit 2); failures of one line (exit 1), with the stack trace
 * only under {@code VANE_DEBUG}.
 */
class CommandErrorsTest {

    @TempDir
    Path tmp;

    @Test
    void readsValuesSwitchesRepeatsAndDefaults() {
        DataSteeringCommand sets = (DataSteeringCommand) CliRun.parsed("data", "steering", "--data", "d", "--target", "a",
                "--out=o", "--target", "b", "--chunks-per-doc", "7");
        assertThat(sets.data).isEqualTo(Path.of("d"));
        assertThat(sets.out).isEqualTo(Path.of("o"));
        assertThat(sets.targets).containsExactly("a", "b");
        assertThat(sets.chunksPerDoc).isEqualTo(7);
        assertThat(((DataSteeringCommand) CliRun.parsed("data", "steering", "--data", "d", "--out", "o")).chunksPerDoc).isEqualTo(4);
        CalibrateVectorsCommand vectors = (CalibrateVectorsCommand) CliRun.parsed("calibrate", "vectors", "--model", "m",
                "--prompts", "p", "--name", "n", "--registry", "r", "--chat");
        assertThat(vectors.chat).isTrue();
        assertThat(vectors.target.replace).isFalse();
        assertThat(vectors.options().layers()).isEmpty();
        SteeringGenreCommand genre = (SteeringGenreCommand) CliRun.parsed("eval", "steering", "genre", "--data", "d",
                "--target", "news", "--registry", "r", "--vector", "v", "--header", "true");
        assertThat(genre.header).isTrue();
        assertThat(genre.gact).isNull();
        assertThat(genre.options().model()).isEqualTo(Path.of("models/demo"));
    }

    @Test
    void everyUsageErrorIsOneLineNamingTheFlag() {
        String[] vectors = {"calibrate", "vectors", "--model", "m", "--prompts", "p", "--name", "n", "--registry", "r"};
        CliRun.Result unknown = CliRun.run(CliRun.concat(vectors, "--outt", "x"));
        usage(unknown, "vane calibrate vectors: unknown flag '--outt' (known: --batch, --chat, --dtype, --layers, --method, "
                + "--model, --name, --prompts, --registry, --replace, --seed, --valid-fraction)");
        assertThat(unknown.err()).contains("usage: vane calibrate vectors", "See 'vane calibrate vectors --help'.");
        usage(CliRun.run(CliRun.concat(vectors, "--outt=x")), "unknown flag '--outt'");
        usage(CliRun.run("data", "steering", "--data"), "vane data steering: --data: missing value");
        usage(CliRun.run(CliRun.concat(vectors, "--batch", "--chat")), "vane calibrate vectors: --batch: missing value");
        usage(CliRun.run(CliRun.concat(vectors, "stray")), "vane calibrate vectors: unexpected argument 'stray'");
        usage(CliRun.run(CliRun.concat(vectors, "--batch", "2", "--batch=3")), "vane calibrate vectors: --batch: given 2 times");
        usage(CliRun.run("calibrate", "vectors", "--model", "m", "--prompts", "p", "--name", "n"), "vane calibrate vectors: --registry: required");
        usage(CliRun.run("calibrate", "vectors", "--model", "m", "--prompts", "p"), "vane calibrate vectors: --name, --registry: required");
        usage(CliRun.run(CliRun.concat(vectors, "--batch", "0")), "vane calibrate vectors: --batch: must be >= 1, got 0");
        usage(CliRun.run(CliRun.concat(vectors, "--batch", "many")), "vane calibrate vectors: --batch: not a number: 'many'");
        usage(CliRun.run(CliRun.concat(vectors, "--valid-fraction", "NaN")), "--valid-fraction: must be a finite number");
        usage(CliRun.run(CliRun.concat(vectors, "--valid-fraction", "1.5")), "--valid-fraction: must be in (0, 1)");
        usage(CliRun.run("eval", "steering", "genre", "--data", "d", "--target", "news", "--registry", "r", "--vector", "v",
                "--header", "yes"), "--header: must be true or false, got 'yes'");
        usage(CliRun.run("calibrate", "vectors", "--model", "m", "--prompts", "p", "--name", "../x", "--registry", "r"),
                "--name: invalid artifact name '../x'");
        usage(CliRun.run(CliRun.concat(vectors, "--dtype", "f8")), "--dtype: dtype must be f32, f16, q8_0, q4_0 or q4_k, got 'f8'");
        usage(CliRun.run("calibrate"), "vane calibrate: missing command (vectors, controller, gact, task-embedding)");
        usage(CliRun.run("calibrate", "vector"), "vane calibrate: unknown command 'vector' (vectors, controller, gact, task-embedding)");
        usage(CliRun.run("frobnicate"), "vane: unknown command 'frobnicate' (serve, try, train, data, convert, merge, calibrate, artifacts, eval)");
        usage(CliRun.run("merge", "--base", "b", "--model", "m", "--weight", "1.5", "--out", "o"), "vane merge: --weight: must be in [0, 1], got 1.5");
        usage(CliRun.run("merge", "--base", "b", "--model", "m", "--weight", "0.5", "--out", "o", "--dtype", "q8_0"),
                "vane merge: --dtype: a checkpoint takes f16, bf16 or f32, got 'q8_0'");
        usage(CliRun.run("convert", "--model", "m", "--out", "o", "--dtype", "q8_0"),
                "vane convert: --dtype: a checkpoint takes f16, bf16 or f32, got 'q8_0' (q8_0 is written to .gguf files)");
        usage(CliRun.run("eval", "demo", "--model", "m", "--data", "d", "--split", "train"), "vane eval demo: --split: must be valid or test (held out), not train");
    }

    @Test
    void aModelThatCannotBeReadIsAFailureNotAUsageError() {
        String none = tmp.resolve("no-model").toString();
        CliRun.Result merge = CliRun.run("merge", "--base", none, "--model", none, "--weight", "0.5", "--out", tmp.resolve("o").toString());
        assertThat(merge.status()).as(merge.err()).isEqualTo(1);
        assertThat(merge.err()).startsWith("vane merge: ");
        CliRun.Result eval = CliRun.run("eval", "demo", "--model", none, "--data", none);
        assertThat(eval.status()).as(eval.err()).isEqualTo(1);
        assertThat(eval.err()).startsWith("vane eval demo: ");
    }

    @Test
    void aFailureIsOneLineAndExitsOneWithTheStackTraceOnlyWhenAskedFor() {
        String[] args = {"artifacts", "delete", "--name", "gone", "--registry", tmp.toString()};
        CliRun.Result r = CliRun.run(args);
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("vane artifacts delete: artifact 'gone' not found in " + tmp + "\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(Cli.execute(new Context(ps, ps, Map.of("VANE_DEBUG", "1"), tmp.resolve("none.yaml")), args)).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("vane artifacts delete: artifact 'gone' not found")
                .contains("ArtifactException", "\tat ");
    }

    @Test
    void helpExitsZeroOnEveryCommand() {
        CliRun.Result root = CliRun.run("--help");
        assertThat(root.status()).isZero();
        assertThat(root.out()).startsWith("usage: vane ").contains("vane calibrate vectors ", "vane eval steering classifier|genre|refusal|probes");
        assertThat(CliRun.run("help").out()).isEqualTo(root.out());
        assertThat(CliRun.run("help", "calibrate", "vectors").out()).isEqualTo(CliRun.run("calibrate", "vectors", "--help").out());
        CliRun.Result vectors = CliRun.run("calibrate", "vectors", "-h");
        assertThat(vectors.status()).isZero();
        assertThat(vectors.out()).startsWith("usage: vane calibrate vectors ").contains("--model DIR", "--method mean-diff|pca");
        CliRun.Result group = CliRun.run("eval", "steering", "--help");
        assertThat(group.status()).isZero();
        assertThat(group.out()).contains("classifier", "genre", "refusal", "probes");
    }

    @Test
    void flagsOnlyOrNothingMeansServe() {
        assertThat(Cli.withDefaultCommand(new String[0])).containsExactly("serve");
        assertThat(Cli.withDefaultCommand(new String[] {"--port", "9000"})).containsExactly("serve", "--port", "9000");
        assertThat(Cli.withDefaultCommand(new String[] {"--help"})).containsExactly("--help");
        assertThat(Cli.withDefaultCommand(new String[] {"eval", "demo"})).containsExactly("eval", "demo");
    }

    @Test
    void theProvenanceLineQuotesArgumentsAsAShellNeedsThem() {
        assertThat(Leaf.quote(new String[] {"--name", "a b", "it's"})).isEqualTo("--name 'a b' 'it'\\''s'");
    }

    @Test
    void layerRangesOfInterventionsAreReadByTheirOwnRules() {
        assertThat(Converters.planLayers("1-3")).isEqualTo(new dev.vane.steering.plan.LayerRange(1, 3));
        assertThat(Converters.planLayers("2")).isEqualTo(new dev.vane.steering.plan.LayerRange(2, 2));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Converters.planLayers("a-b")).hasMessageContaining("--layers must be A-B");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Converters.planLayers("3-1"))
                .isInstanceOf(dev.vane.steering.plan.PlanException.class);
        usage(CliRun.run("eval", "steering", "genre", "--data", "d", "--target", "news", "--registry", "r", "--vector", "v",
                "--layers", "a-b"), "--layers must be A-B or A (layer indices), got 'a-b'");
    }

    /** Exit status 2; {@code line} in the first line of stderr; no stack trace. */
    private static void usage(CliRun.Result r, String line) {
        assertThat(r.status()).as(r.err()).isEqualTo(2);
        List<String> lines = r.err().lines().toList();
        assertThat(lines.get(0)).contains(line);
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }
}
