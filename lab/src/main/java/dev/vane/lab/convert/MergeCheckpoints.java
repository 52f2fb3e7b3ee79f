package dev.vane.lab.convert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.vane.attention.Scalars;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.model.CheckpointWriter;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.model.TensorDecoder;
import dev.vane.engine.weights.FileDType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * {@code vane merge}: the weight-space interpolation of a fine-tuned checkpoint with the
 * checkpoint it was fine-tuned from, every parameter
 * {@code θ = θ_base + w · (θ_model − θ_base)} (WiSE-FT, Wortsman et al., "Robust fine-tuning of
 * zero-shot models", CVPR 2022, arXiv 2109.01903: between 0 and 1 such a merge keeps much of what
 * the fine-tune added while giving back part of what it cost on the base model's own data).
 * {@code w = 1} is the fine-tuned model, {@code w = 0} the base. Both checkpoints must have the same
 * geometry; the tokenizer and generation files are the fine-tuned model's. Beacon parameters are
 * not carried over: they were trained for other base weights ({@code train beacon} again).
 */
public final class MergeCheckpoints {

    private static final List<String> COPIED = List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json");

    private MergeCheckpoints() {}

    /** What {@link #run} left out, for the command to say. */
    public record Result(boolean droppedBeacon) {}

    /** Refuses an interpolation weight outside [0, 1], naming {@code --weight}. */
    public static void checkWeight(double weight) {
        if (!(weight >= 0 && weight <= 1)) throw new IllegalArgumentException("--weight: must be in [0, 1], got " + weight);
    }

    public static Result run(Path base, Path model, double weight, Path out, FileDType dtype) throws IOException {
        checkWeight(weight);
        try (TensorDecoder b = ModelLoader.loadTensor(base, ComputeDType.F32, 0);
             TensorDecoder m = ModelLoader.loadTensor(model, ComputeDType.F32, 0)) {
            ModelConfig cb = b.config().withBeacon(Optional.empty()), cm = m.config().withBeacon(Optional.empty());
            if (!cb.equals(cm))
                throw new IllegalArgumentException("--base: its config.json differs from --model's (" + difference(cb, cm)
                        + "): only checkpoints of one geometry merge");
            NDList from = b.weights().all(), to = m.weights().all();
            for (int i = 0; i < to.size(); i++) {
                NDArray x = from.get(i), y = to.get(i); // y ← x + w·(y − x), in place in the fine-tuned weights
                try (NDArray w = Scalars.of(y, weight)) {
                    y.subi(x).muli(w).addi(x);
                }
            }
            CheckpointWriter.write(cm, m.weights(), out, dtype);
            for (String f : COPIED)
                if (Files.exists(model.resolve(f))) Files.copy(model.resolve(f), out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            return new Result(m.beaconParameters().isPresent() || m.config().beacon().isPresent());
        }
    }

    private static String difference(ModelConfig a, ModelConfig b) {
        var components = ModelConfig.class.getRecordComponents();
        StringBuilder s = new StringBuilder();
        for (var c : components) {
            try {
                Object x = c.getAccessor().invoke(a), y = c.getAccessor().invoke(b);
                if (!x.equals(y)) s.append(s.isEmpty() ? "" : ", ").append(c.getName()).append(' ').append(x).append(" vs ").append(y);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return s.toString();
    }
}
