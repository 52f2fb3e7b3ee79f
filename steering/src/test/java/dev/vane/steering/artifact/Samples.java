package dev.vane.steering.artifact;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.config.Architecture;
import dev.vane.engine.hooks.Component;

import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;

/** Small artifacts for the artifact tests. */
final class Samples {

    static final ModelFingerprint FP = new ModelFingerprint(Architecture.LLAMA, 8, 4, 512);
    static final Provenance PROV = new Provenance("vane calibrate vectors --name x", "ab".repeat(32),
            Instant.parse("2026-11-26T09:00:00Z"), "0.1.0-test");

    private Samples() {}

    /** A vector set over layers 1 and 3 of {@link #FP} with seeded values. */
    static VectorSet vectorSet(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] d = new float[FP.numLayers()][];
        for (int l : new int[] {1, 3}) {
            d[l] = new float[FP.hiddenSize()];
            for (int i = 0; i < d[l].length; i++) d[l][i] = (float) r.nextGaussian();
        }
        return new VectorSet(Component.RESID_POST, FP.hiddenSize(), d);
    }

    static Artifact artifact(String name, long seed) {
        ObjectNode params = JsonNodeFactory.instance.objectNode().put("method", "mean-diff").put("batch", 8);
        return vectorSet(seed).toArtifact(name, FP, params, Map.of("valid.accuracy.best", 0.875), PROV);
    }
}
