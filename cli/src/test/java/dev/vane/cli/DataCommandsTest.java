package dev.vane.cli;

import dev.vane.lab.data.DemoData;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vane data demo|steering}: flags and their errors (the builds: lab's DemoCorpusTest and SteeringSetsTest). */
class DataCommandsTest {

    private static DemoData.Options demo(String... args) {
        return ((DataDemoCommand) CliRun.parsed(CliRun.concat(new String[] {"data", "demo"}, args))).options();
    }

    private static void usage(CliRun.Result r, String message) {
        assertThat(r.status()).as(r.err()).isEqualTo(2);
        assertThat(r.err().lines().findFirst().orElseThrow()).contains(message);
    }

    @Test
    void demoParsesAndRejectsBadArguments() {
        DemoData.Options a = demo("--brown", "b", "--out", "o", "--seed", "5", "--shares", "0.5,0.2,0.2,0.1",
                "--shots", "2,8", "--passkey-tokens", "128,512", "--separator", "\\n<sep>\\n");
        assertThat(a.brown()).isEqualTo(Path.of("b"));
        assertThat(a.config().seed()).isEqualTo(5);
        assertThat(a.config().brownShare()).isEqualTo(0.5);
        assertThat(a.config().maxShots()).isEqualTo(8);
        assertThat(a.config().passKeyMaxTokens()).isEqualTo(512);
        assertThat(a.config().separator()).isEqualTo("\n<sep>\n");
        assertThat(a.config().chatExtras()).isEmpty();
        assertThat(demo("--brown", "b", "--out", "o", "--chat-extras", "closings,paired-forms").config().chatExtras())
                .containsExactlyInAnyOrder(dev.vane.lab.data.ChatExtra.CLOSINGS, dev.vane.lab.data.ChatExtra.PAIRED_FORMS);
        usage(CliRun.run("data", "demo", "--brown", "b", "--out", "o", "--chat-extras", "paired-forms,rhymes"),
                "--chat-extras: unknown extra 'rhymes' (one of paired-forms, closings)");
        assertThat(demo("--brown", "b", "--out", "o").config()).isEqualTo(dev.vane.lab.data.DemoDataConfig.defaults());
        usage(CliRun.run("data", "demo", "--out", "o"), "--brown");
        usage(CliRun.run("data", "demo", "--brown", "b"), "--out");
        usage(CliRun.run("data", "demo", "--brown", "b", "--out", "o", "--frobnicate", "1"), "unknown flag '--frobnicate'");
        usage(CliRun.run("data", "demo", "--brown", "b", "--out", "o", "--shares", "0.5,0.5,0.5,0.5"), "add up to 1");
        usage(CliRun.run("data", "demo", "--brown", "b", "--out", "o", "--seed", "x"), "--seed: not a number: 'x'");
        usage(CliRun.run("data", "demo", "--brown"), "missing value");
    }

    @Test
    void steeringFlagsAreChecked() {
        usage(CliRun.run("data", "steering", "--data", "x", "--outt", "y"), "unknown flag '--outt'");
        usage(CliRun.run("data", "steering", "--data"), "--data: missing value");
        usage(CliRun.run("data", "steering", "--data", "x", "--out", "y", "--chunks-per-doc", "0"), "--chunks-per-doc: must be >= 1, got 0");
    }
}
