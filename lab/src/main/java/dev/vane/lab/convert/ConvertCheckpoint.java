package dev.vane.lab.convert;

import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.model.CheckpointWriter;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;

import dev.vane.engine.weights.FileDType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * {@code vane convert}: rewrites a checkpoint in another
 * file dtype (e.g. an f32 training checkpoint as the f16 model that ships), copying the
 * tokenizer and generation files. Training state is not copied.
 */
public final class ConvertCheckpoint {

    private static final List<String> COPIED = List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json");

    private ConvertCheckpoint() {}

    public static void run(Path in, Path out, FileDType dtype) throws IOException {
        try (TensorDecoder model = ModelLoader.loadTensor(in, ComputeDType.F32, 0)) {
            CheckpointWriter.write(model.config(), model.weights(), model.beaconParameters(), out, dtype);
        }
        for (String f : COPIED)
            if (Files.exists(in.resolve(f))) Files.copy(in.resolve(f), out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
}
