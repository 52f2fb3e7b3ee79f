package dev.vane.cli;

import dev.vane.engine.weights.FileDType;
import dev.vane.engine.gguf.GgmlType;
import dev.vane.lab.convert.ConvertCheckpoint;
import dev.vane.lab.convert.GgufExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;

/** {@code vane convert} ({@link ConvertCheckpoint}). */
@Command(name = "convert", sortOptions = false,
        description = {"Rewrite a checkpoint in another file dtype, copying the tokenizer and generation files;",
                "or, with --out FILE.gguf, as one GGUF file (f32, f16, q8_0 or q4_0 matrices) that Vane and llama.cpp load."})
final class ConvertCommand extends Leaf {

    @Option(names = "--model", required = true, paramLabel = "IN", description = "checkpoint directory to read")
    Path model;
    @Option(names = "--out", required = true, paramLabel = "OUT", description = "directory to write, or a file ending in .gguf")
    Path out;
    @Option(names = "--dtype", defaultValue = "f16", paramLabel = "f16|bf16|f32|q8_0|q4_0",
            description = "dtype of the weights (${DEFAULT-VALUE}); q8_0 and q4_0 for GGUF only, bf16 for checkpoints only")
    String dtype;

    @Override
    public Integer call() throws Exception {
        String d = dtype.toLowerCase(Locale.ROOT);
        if (out.getFileName() != null && out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf")) {
            GgmlType type = switch (d) {
                case "f32" -> GgmlType.F32;
                case "f16" -> GgmlType.F16;
                case "q8_0" -> GgmlType.Q8_0;
                case "q4_0" -> GgmlType.Q4_0;
                default -> throw usage("--dtype: a GGUF file takes f32, f16, q8_0 or q4_0, got '" + dtype + "'");
            };
            GgufExport.run(model, out, type);
            if (dev.vane.engine.config.HfConfig.read(model).beacon().isPresent())
                System.err.println("vane convert: the beacon parameters stay out of " + out
                        + " (GGUF has no beacon tensors); vane.beacon runs on the checkpoint directory");
            return 0;
        }
        FileDType file = options(() -> checkpointDType(dtype));
        ConvertCheckpoint.run(model, out, file);
        return 0;
    }

    /** The file dtype of a checkpoint directory's weights, from {@code --dtype}. */
    static FileDType checkpointDType(String dtype) {
        String d = dtype.toLowerCase(Locale.ROOT);
        try {
            return FileDType.parse(d);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--dtype: a checkpoint takes f16, bf16 or f32, got '" + dtype + "'"
                    + (d.startsWith("q") ? " (" + d + " is written to .gguf files)" : ""));
        }
    }
}
