package dev.vane.cli;

import dev.vane.engine.config.HfConfig;
import dev.vane.lab.eval.AttentionEval;
import dev.vane.server.ServerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** {@code vane eval attention} ({@link AttentionEval}; docs/results/attention.md). */
@Command(name = "attention", sortOptions = false, description =
        "One variant of the length-extrapolation experiment: validation loss and pass-key accuracy at multiples of the " +
        "training length, as one JSON line.")
final class EvalAttentionCommand extends Leaf {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "checkpoint directory")
    Path model;
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "a demo corpus build (valid.txt, test.txt)")
    Path data;
    @Option(names = "--label", paramLabel = "NAME", description = "the variant's name in the tables (default: the kernel's)")
    String label;
    @Option(names = "--attention", defaultValue = "auto", paramLabel = "auto|softmax|lssa:L|lssar:L:P|sigmoid:B",
            description = "kernel; another than the checkpoint's needs --force-attention (${DEFAULT-VALUE})")
    String attention;
    @Option(names = "--force-attention", description = "run --attention although the checkpoint was trained with another kernel")
    boolean force;
    @Option(names = "--attention-log-n", defaultValue = "off", paramLabel = "off|L", description = "log-n query scaling, softmax models (${DEFAULT-VALUE})")
    String logN;
    @Option(names = "--train-length", paramLabel = "N", description = "the training length (default: the checkpoint's)")
    Integer trainLength;
    @Option(names = "--multiples", defaultValue = "1,2,4,8,16", split = ",", paramLabel = "M,M,...", description = "contexts as multiples of N (${DEFAULT-VALUE})")
    List<Integer> multiples;
    @Option(names = "--tokens", defaultValue = "32768", paramLabel = "N", description = "tokens of loss windows per context (${DEFAULT-VALUE})")
    int tokens;
    @Option(names = "--passkeys", defaultValue = "40", paramLabel = "N", description = "pass-key documents per context, 0 none (${DEFAULT-VALUE})")
    int passKeys;
    @Option(names = "--split", defaultValue = "test", paramLabel = "valid|test", description = "text and key seed (${DEFAULT-VALUE})")
    String split;

    AttentionEval.Options options() {
        return options(() -> {
            if (!split.equals("valid") && !split.equals("test")) throw new IllegalArgumentException("--split must be valid or test, got '" + split + "'");
            for (int m : multiples) Checks.atLeast("--multiples", m, 1);
            int n = trainLength != null ? Checks.atLeast("--train-length", trainLength, 2) : AttentionEval.trainLength(HfConfig.read(model));
            var choice = ServerSettings.attention(attention, force, "reference", logN);
            return new AttentionEval.Options(model, data, label != null ? label : attention.equals("auto") ? "checkpoint" : attention,
                    choice, n, List.copyOf(multiples), Checks.atLeast("--tokens", tokens, 1), Checks.atLeast("--passkeys", passKeys, 0), split);
        });
    }

    @Override
    public Integer call() throws Exception {
        AttentionEval.run(options(), out());
        return 0;
    }
}
