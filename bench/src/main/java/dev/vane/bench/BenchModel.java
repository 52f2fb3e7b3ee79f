package dev.vane.bench;

import dev.vane.engine.cache.KvDType;
import dev.vane.engine.model.AttentionChoice;
import dev.vane.engine.model.ComputeDType;
import dev.vane.server.ServerSettings;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The flags of the generation benchmarks: the checkpoint ({@code --model DIR}, or a random-weight
 * {@code --preset}, default {@code smollm2-135m}), its dtype and threads, and the lengths.
 */
final class BenchModel {

    @Option(names = "--model", paramLabel = "DIR", description = "a real checkpoint (instead of --preset)")
    Path model;
    @Option(names = "--preset", defaultValue = "smollm2-135m", paramLabel = "NAME",
            description = "random weights in a real geometry: smollm2-135m, llama-3.2-1b, qwen3-0.6b (${DEFAULT-VALUE})")
    String preset;
    @Option(names = "--dtype", defaultValue = "f16", paramLabel = "f16|f32|q8_0|q4_0|q4_k", description = "compute dtype (${DEFAULT-VALUE})")
    ComputeDType dtype;
    @Option(names = "--kv-dtype", defaultValue = "auto", paramLabel = "auto|f16|f32",
            description = "KV cache element type; auto: the backend's own, f16 on the Java decoder (${DEFAULT-VALUE})")
    String kvDType;
    @Option(names = "--threads", defaultValue = "2", paramLabel = "N", description = "threads (${DEFAULT-VALUE})")
    int threads;
    @Option(names = "--prompt-len", defaultValue = "32", paramLabel = "N", description = "prompt tokens (${DEFAULT-VALUE})")
    int promptLen;
    @Option(names = "--gen-len", defaultValue = "64", paramLabel = "N", description = "generated tokens (${DEFAULT-VALUE})")
    int genLen;
    @Option(names = "--attention", defaultValue = "auto", paramLabel = "auto|softmax|lssa:L|lssar:L:P|sigmoid:B",
            description = "attention kernel, forced on the checkpoint when it differs from its own (${DEFAULT-VALUE})")
    String attention;
    @Option(names = "--attention-algorithm", defaultValue = "reference", paramLabel = "reference|online|two_pass",
            description = "how softmax attention is computed (${DEFAULT-VALUE})")
    String attentionAlgorithm;

    /** {@code --attention} and {@code --attention-algorithm}: a benchmark may run any kernel on any weights. */
    AttentionChoice attentionChoice() {
        return ServerSettings.attention(attention, true, attentionAlgorithm, "off");
    }

    /** The checkpoint directory: {@code --model}, or the preset written once under {@code target/presets}. */
    Path dir() throws Exception {
        return model != null ? model : DecodeBench.presetDir(preset);
    }

    /** {@code --kv-dtype}: empty for {@code auto}. */
    Optional<KvDType> kv() {
        return ServerSettings.kvDType(kvDType);
    }

    /** The model's name in the JSON lines. */
    String label() {
        return model != null ? model.toString() : preset;
    }
}
