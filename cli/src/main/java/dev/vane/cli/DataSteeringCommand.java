package dev.vane.cli;

import dev.vane.lab.steering.SteeringSets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code vane data steering} ({@link SteeringSets}). */
@Command(name = "steering", sortOptions = false,
        description = "Write the prompt sets of the steering evaluations from a demo corpus (docs/steering.md).")
final class DataSteeringCommand extends Leaf {

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "a demo corpus build (tools/build-demo-corpus.sh)")
    Path data;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the sets go (genre-G/..., refusal/...)")
    Path out;
    @Option(names = "--target", paramLabel = "GENRE", description = "a genre to build sets for; repeat for several (default: every genre)")
    List<String> targets = new ArrayList<>();
    @Option(names = "--chunks-per-doc", defaultValue = "4", paramLabel = "N", description = "pair chunks per document (${DEFAULT-VALUE})")
    int chunksPerDoc;

    @Override
    public Integer call() {
        int chunks = options(() -> Checks.atLeast("--chunks-per-doc", chunksPerDoc, 1));
        SteeringSets.run(data, out, targets, chunks, out());
        return 0;
    }
}
