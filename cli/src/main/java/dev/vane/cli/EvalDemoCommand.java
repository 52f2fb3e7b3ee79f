package dev.vane.cli;

import dev.vane.lab.eval.DemoEval;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code vane eval demo} ({@link DemoEval}). */
@Command(name = "demo", sortOptions = false, description =
                "The model card's measurements on a held-out split of the demo corpus, as Markdown: Brown perplexity, " +
                "continuations, ICL 0-shot vs N-shot, pass keys, refusals.")
final class EvalDemoCommand extends Leaf {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "checkpoint directory")
    Path model;
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "a demo corpus build")
    Path data;
    @Option(names = "--split", defaultValue = "test", paramLabel = "valid|test", description =
            "held-out split evaluated: valid to choose between candidates, test to report the chosen one (${DEFAULT-VALUE})")
    dev.vane.lab.data.Split split;
    @Option(names = "--per-task", defaultValue = "25", paramLabel = "N", description = "ICL test queries per task (${DEFAULT-VALUE})")
    int perTask;
    @Option(names = "--shots", defaultValue = "10", paramLabel = "N", description = "demonstrations of the N-shot ICL arm (${DEFAULT-VALUE})")
    int shots;
    @Option(names = "--parts", paramLabel = "A,B", split = ",",
            description = "the measurements to run, of ${DEFAULT-VALUE} (default: all)")
    List<String> parts = DemoEval.PARTS;

    @Override
    public Integer call() throws Exception {
        Set<String> chosen = options(() -> {
            DemoEval.checkSplit(split);
            for (String p : parts)
                if (!DemoEval.PARTS.contains(p))
                    throw new IllegalArgumentException("--parts: unknown part '" + p + "' (known: " + DemoEval.PARTS + ")");
            return new LinkedHashSet<>(parts);
        });
        DemoEval.run(model, data, split, perTask, shots, chosen, out());
        return 0;
    }
}
