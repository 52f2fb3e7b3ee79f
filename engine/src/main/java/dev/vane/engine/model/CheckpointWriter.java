package dev.vane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.weights.FileDType;
import dev.vane.engine.weights.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@link ModelWeights} back to a Hugging Face directory ({@code config.json} +
 * {@code model.safetensors}), un-fusing q|k|v and gate|up: the inverse of {@link WeightLoader}.
 */
public final class CheckpointWriter {

    private CheckpointWriter() {}

    public static void write(ModelConfig c, ModelWeights w, Path dir, FileDType dtype) throws IOException {
        write(c, w, java.util.Optional.empty(), dir, dtype);
    }

    /**
     * The weights and, where given, the Activation Beacon parameters, whose settings then go to
     * {@code config.json}. Settings in {@code c} without parameters are written as they are: a
     * loader starts such a checkpoint's beacon parameters from the base model's.
     */
    public static void write(ModelConfig c, ModelWeights w, java.util.Optional<TensorBeacon> beacon, Path dir, FileDType dtype)
            throws IOException {
        if (beacon.isPresent()) c = c.withBeacon(java.util.Optional.of(beacon.get().config()));
        Files.createDirectories(dir);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        long vocab = c.vocabSize();
        long d = c.hiddenSize(), dh = c.headDim(), h = c.numHeads(), g = c.numKvHeads(), ff = c.intermediateSize();
        put(tensors, shapes, HfNames.EMBED, w.embed(), c.vocabSize(), d);
        for (int l = 0; l < c.numLayers(); l++) {
            LayerWeights lw = w.layers().get(l);
            put(tensors, shapes, HfNames.layer(l, HfNames.INPUT_NORM), lw.inputNorm(), d);
            NDList qkv = lw.qkv().split(new long[] {h * dh, (h + g) * dh}, 0);
            put(tensors, shapes, HfNames.layer(l, HfNames.Q), qkv.get(0), h * dh, d);
            put(tensors, shapes, HfNames.layer(l, HfNames.K), qkv.get(1), g * dh, d);
            put(tensors, shapes, HfNames.layer(l, HfNames.V), qkv.get(2), g * dh, d);
            qkv.close();
            if (lw.qkvBias().isPresent()) {
                NDList b = lw.qkvBias().get().split(new long[] {h * dh, (h + g) * dh}, 0);
                put(tensors, shapes, HfNames.layer(l, HfNames.Q_BIAS), b.get(0), h * dh);
                put(tensors, shapes, HfNames.layer(l, HfNames.K_BIAS), b.get(1), g * dh);
                put(tensors, shapes, HfNames.layer(l, HfNames.V_BIAS), b.get(2), g * dh);
                b.close();
            }
            if (lw.qkNorm().isPresent()) {
                float[] all = lw.qkNorm().get().toFloatArray(); // [H+G, Dh]: q_norm repeated, then k_norm
                tensors.put(HfNames.layer(l, HfNames.Q_NORM), java.util.Arrays.copyOfRange(all, 0, (int) dh));
                shapes.put(HfNames.layer(l, HfNames.Q_NORM), new long[] {dh});
                tensors.put(HfNames.layer(l, HfNames.K_NORM), java.util.Arrays.copyOfRange(all, (int) (h * dh), (int) ((h + 1) * dh)));
                shapes.put(HfNames.layer(l, HfNames.K_NORM), new long[] {dh});
            }
            put(tensors, shapes, HfNames.layer(l, HfNames.O), lw.o(), d, h * dh);
            put(tensors, shapes, HfNames.layer(l, HfNames.POST_NORM), lw.postNorm(), d);
            NDList gu = lw.gateUp().split(2, 0);
            put(tensors, shapes, HfNames.layer(l, HfNames.GATE), gu.get(0), ff, d);
            put(tensors, shapes, HfNames.layer(l, HfNames.UP), gu.get(1), ff, d);
            gu.close();
            put(tensors, shapes, HfNames.layer(l, HfNames.DOWN), lw.down(), d, ff);
        }
        put(tensors, shapes, HfNames.FINAL_NORM, w.finalNorm(), d);
        w.lmHead().ifPresent(head -> put(tensors, shapes, HfNames.LM_HEAD, head, vocab, d));
        beacon.ifPresent(b -> b.tensors().forEach((name, t) -> put(tensors, shapes, name, t, t.getShape().getShape())));

        Path tmpConfig = dir.resolve("config.json.tmp");
        Files.writeString(tmpConfig, HfConfig.toJsonString(c, dtype.torchName()));
        try (SafetensorsWriter out = new SafetensorsWriter(dir.resolve("model.safetensors"))) {
            out.metadata("format", "pt");
            for (var e : shapes.entrySet()) out.declare(e.getKey(), dtype, e.getValue());
            for (var e : tensors.entrySet()) out.write(e.getKey(), e.getValue());
        }
        Files.move(tmpConfig, dir.resolve("config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void put(Map<String, float[]> t, Map<String, long[]> s, String name, NDArray a, long... shape) {
        NDArray f32 = a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        t.put(name, f32.toFloatArray());
        if (f32 != a) f32.close();
        s.put(name, shape);
    }
}
