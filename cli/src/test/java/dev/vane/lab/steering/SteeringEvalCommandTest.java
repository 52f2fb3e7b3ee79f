package dev.vane.lab.steering;

import dev.vane.cli.CliRun;
import dev.vane.cli.CliRun.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flag handling of {@code vane eval steering}, through the command line; the evaluations themselves
 * are tested in their own classes (the layer-range reader in cli's ConvertersTest).
 */
class SteeringEvalCommandTest {

    @TempDir
    Path tmp;

    @Test
    void theClassifierCommandPrintsTheHeldOutTable() throws Exception {
        Path data = EvalFixtures.corpus(tmp.resolve("corpus"));
        Result r = run("classifier", "--data", data.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("| genre | chunks | correct | accuracy |").contains("| sea | ").contains("| **all** | ");
    }

    @Test
    void badFlagsAreReportedByName() {
        // every case also gives the flags the command requires, so that the error is the one named
        usage(run("genre", "--data", "x", "--target", "news", "--registry", "r"), "exactly one of --vector NAME or --gact NAME");
        usage(run("genre", "--vector", "v", "--gact", "g", "--data", "x", "--target", "news", "--registry", "r"), "exactly one");
        usage(run("genre", "--vector", "v", "--target", "news", "--prompts", "0", "--data", "x", "--registry", "r"),
                "--prompts: must be >= 1");
        usage(run("genre", "--vector", "v", "--target", "news", "--data", "x"), "--registry: required");
        usage(run("refusal", "--controller", "c", "--mode", "fast"), "mode must be code, paper or prompt");
        usage(run("refusal", "--data", "x", "--registry", "r"), "exactly one of --controller NAME or --vector NAME");
        usage(run("refusal", "--controller", "c", "--vector", "v", "--data", "x", "--registry", "r"), "exactly one");
        usage(run("refusal", "--vector", "v", "--alpha", "2", "--data", "x", "--registry", "r"), "--alpha: only with --controller");
        usage(run("refusal", "--controller", "c", "--scale", "2", "--data", "x", "--registry", "r"), "--scale: only with --vector");
        usage(run("refusal", "--vector", "v", "--phase", "always", "--data", "x", "--registry", "r"), "phase");
        usage(run("refusal", "--controller", "c", "--split", "later", "--data", "x", "--registry", "r"), "must be train, valid or test");
        usage(run("refusal", "--controller", "c", "--split", "train", "--data", "x", "--registry", "r"), "--split: must be valid or test");
        Result missing = run("probes", "--target", "news", "--data", tmp.resolve("none").toString());
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("no such file");
        usage(run("judge"), "vane eval steering: unknown command 'judge' (classifier, genre, refusal, probes)");
    }

    /** A usage error: exit status 2, {@code message} on the first line of stderr, no stack trace. */
    private static void usage(Result r, String message) {
        assertThat(r.status()).as(r.err()).isEqualTo(2);
        assertThat(r.err().lines().findFirst().orElseThrow()).contains(message);
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static Result run(String... args) {
        return CliRun.run(CliRun.concat(new String[] {"eval", "steering"}, args));
    }
}
