package dev.vane.cli;

import dev.vane.lab.eval.LayerSkipEval;
import dev.vane.steering.plan.InterventionSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code vane eval layer-skip} ({@link LayerSkipEval}; docs/layer-skipping.md). */
@Command(name = "layer-skip", sortOptions = false, description =
                "One row of the layer-skipping table: layer usage per phase, Brown test perplexity and ICL accuracy " +
                "with LAC in a mode, or the baseline (--mode none).")
final class EvalLayerSkipCommand extends Leaf {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "checkpoint directory")
    Path model;
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "a demo corpus build (brown/test.txt, icl/tasks)")
    Path data;
    @Option(names = "--mode", defaultValue = "none", paramLabel = "none|trace|readout|exit|skip-set",
            description = "the LAC mode, or none for the baseline (${DEFAULT-VALUE})")
    String mode;
    @Option(names = "--alpha", defaultValue = "0.8", paramLabel = "A", description = "LAC threshold alpha (${DEFAULT-VALUE})")
    double alpha;
    @Option(names = "--q", defaultValue = "0.5", paramLabel = "Q", description = "skip-set quantile (${DEFAULT-VALUE})")
    double q;
    @Option(names = "--windows", defaultValue = "16", paramLabel = "N", description = "perplexity windows (${DEFAULT-VALUE})")
    int windows;
    @Option(names = "--per-task", defaultValue = "10", paramLabel = "N", description = "ICL test queries per task (${DEFAULT-VALUE})")
    int perTask;
    @Option(names = "--shots", defaultValue = "10", paramLabel = "N", description = "ICL demonstrations (${DEFAULT-VALUE})")
    int shots;
    @Option(names = "--header", description = "print the table's header before the row")
    boolean header;

    LayerSkipEval.Options options() {
        return options(() -> {
            if (!mode.equals("none")) InterventionSpec.SkipMode.parse(mode);
            return new LayerSkipEval.Options(model, data, mode, alpha, q, Checks.atLeast("--windows", windows, 1),
                    Checks.atLeast("--per-task", perTask, 1), Checks.atLeast("--shots", shots, 0), header);
        });
    }

    @Override
    public Integer call() throws Exception {
        LayerSkipEval.run(options(), out());
        return 0;
    }
}
