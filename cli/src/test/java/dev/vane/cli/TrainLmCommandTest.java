package dev.vane.cli;

import dev.vane.attention.AttentionKind;
import dev.vane.lab.train.TrainConfig;
import dev.vane.lab.train.TrainLm;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vane train lm}'s flags and their defaults; the training itself: lab's TrainLmTest. */
class TrainLmCommandTest {

    private static TrainLm.Options options(String... args) {
        return ((TrainLmCommand) CliRun.parsed(CliRun.concat(new String[] {"train", "lm"}, args))).options();
    }

    @Test
    void flagsGiveTheTrainingOptions() {
        String[] required = {"--tokenizer", "tok", "--train", "t.txt", "--valid", "v.txt", "--out", "m"};
        // lab's TrainLmTest trains with exactly these options
        TrainLm.Options o = options(CliRun.concat(required, "--layers", "1", "--hidden", "32", "--heads", "2", "--kv-heads", "1",
                "--intermediate", "64", "--context", "16", "--steps", "4", "--batch", "2", "--warmup", "1", "--eval-every", "2",
                "--eval-batches", "1", "--checkpoint-every", "2", "--until", "2"));
        assertThat(o).isEqualTo(new TrainLm.Options(Path.of("tok"), Path.of("t.txt"), Path.of("v.txt"), Path.of("m"), 1, 32, 2, 1, 64,
                new TrainConfig(4, 2, 16, 3e-3, 0.1, 1, 0.1, 1.0, 2, 1, 2, 0), 2, Optional.empty()));
        TrainLm.Options d = options(required);
        assertThat(d).isEqualTo(new TrainLm.Options(Path.of("tok"), Path.of("t.txt"), Path.of("v.txt"), Path.of("m"), 6, 256, 8, 4, 704,
                new TrainConfig(2000, 16, 256, 3e-3, 0.1, 100, 0.1, 1.0, 200, 8, 200, 0), 2000, Optional.empty()));
        assertThat(options(CliRun.concat(required, "--doc-separator", "\\n<|doc|>\\n")).docSeparator()).contains("\n<|doc|>\n");
        assertThat(options(CliRun.concat(required, "--lr=1.5e-3", "--seed=7")).config().lr()).isEqualTo(1.5e-3);
    }

    @Test
    void attentionKindsTakeTheContextAsTheirTrainingLength() {
        String[] required = {"--tokenizer", "tok", "--train", "t.txt", "--valid", "v.txt", "--out", "m", "--context", "128"};
        assertThat(options(required).attention()).isEmpty();
        assertThat(options(CliRun.concat(required, "--attention", "softmax")).attention()).contains(AttentionKind.SOFTMAX);
        assertThat(options(CliRun.concat(required, "--attention", "lssa")).attention()).contains(new AttentionKind.Softplus(128, 1));
        assertThat(options(CliRun.concat(required, "--attention", "lssar")).attention()).contains(new AttentionKind.Softplus(128, 2));
        assertThat(options(CliRun.concat(required, "--attention", "lssar", "--attention-power", "3")).attention())
                .contains(new AttentionKind.Softplus(128, 3));
        assertThat(options(CliRun.concat(required, "--attention", "sigmoid")).attention()).contains(new AttentionKind.Sigmoid(-Math.log(128)));
        CliRun.Result bad = CliRun.run(CliRun.concat(new String[] {"train", "lm"}, CliRun.concat(required, "--attention", "cosine")));
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).startsWith("vane train lm: --attention must be softmax, lssa, lssar or sigmoid, got 'cosine'");
        CliRun.Result power = CliRun.run(CliRun.concat(new String[] {"train", "lm"},
                CliRun.concat(required, "--attention", "lssar", "--attention-power", "1")));
        assertThat(power.status()).isEqualTo(2);
        assertThat(power.err()).startsWith("vane train lm: --attention-power must be > 1");
    }

    @Test
    void missingAndUnknownFlagsAreUsageErrors() {
        CliRun.Result missing = CliRun.run("train", "lm", "--out", "m");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).startsWith("vane train lm: --tokenizer, --train, --valid: required\n");
        CliRun.Result unknown = CliRun.run("train", "lm", "--stpes", "3");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("vane train lm: unknown flag '--stpes' (known: ").contains("--steps");
        CliRun.Result bad = CliRun.run("train", "lm", "--tokenizer", "tok", "--train", "t", "--valid", "v", "--out", "m", "--steps", "0");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).startsWith("vane train lm: steps must be >= 1\n");
    }
}
