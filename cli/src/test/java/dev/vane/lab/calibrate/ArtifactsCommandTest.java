package dev.vane.lab.calibrate;

import dev.vane.cli.CliRun;
import dev.vane.cli.CliRun.Result;
import dev.vane.engine.config.HfConfig;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.gguf.GgmlType;
import dev.vane.engine.gguf.GgufFile;
import dev.vane.engine.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vane artifacts ...} through the command line. */
class ArtifactsCommandTest {

    @TempDir
    Path tmp;

    private static Result run(String... args) {
        return CliRun.run(CliRun.concat(new String[] {"artifacts"}, args));
    }

    @Test
    void importListExportDelete() throws Exception {
        Path model = Files.createDirectories(tmp.resolve("model"));
        Files.writeString(model.resolve("config.json"), HfConfig.toJsonString(Preset.TINY_LLAMA.config(), "float32"));
        float[] v = new float[64];
        for (int i = 0; i < v.length; i++) v[i] = i * 0.5f - 3;
        Path gguf = tmp.resolve("happy.gguf");
        new GgufWriter().putString("controlvector.model_hint", "llama").putUint32("controlvector.layer_count", 1)
                .addTensor("direction.1", GgmlType.F32, v, 64).write(gguf);
        String reg = tmp.resolve("reg").toString();

        Result imp = run("import-gguf", "--file", gguf.toString(), "--model", model.toString(), "--name", "happy",
                "--registry", reg);
        assertThat(imp.status()).as(imp.err()).isZero();
        assertThat(imp.out()).contains("imported happy (layers 1)");

        Result list = run("list", "--registry", reg);
        assertThat(list.out()).contains("| happy | vector-set | resid_post | 1 | llama d=64 L=2 | - |");

        Path back = tmp.resolve("back.gguf");
        assertThat(run("export-gguf", "--name", "happy", "--model", model.toString(), "--registry", reg,
                "--out", back.toString()).status()).isZero();
        assertThat(GgufFile.open(back, 1 << 20).floats("direction.1")).containsExactly(v);

        assertThat(run("delete", "--name", "happy", "--registry", reg).status()).isZero();
        assertThat(run("list", "--registry", reg).out()).doesNotContain("happy");
        assertThat(run("delete", "--name", "happy", "--registry", reg).err()).contains("'happy' not found");
    }

    @Test
    void errorsAreReported() {
        assertThat(run("frobnicate").status()).isEqualTo(2);
        Result missing = run("list");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("--registry: required");
        Result badName = run("delete", "--name", "../etc", "--registry", tmp.toString());
        assertThat(badName.status()).isEqualTo(1);
        assertThat(badName.err()).contains("name: invalid artifact name '../etc'");
    }

    @Test
    void exportLeavesOutLayerZeroWithAWarningAndTakesALayerRange() throws Exception {
        Path model = Files.createDirectories(tmp.resolve("model"));
        Files.writeString(model.resolve("config.json"), HfConfig.toJsonString(Preset.TINY_LLAMA.config(), "float32"));
        int d = Preset.TINY_LLAMA.config().hiddenSize(), layers = Preset.TINY_LLAMA.config().numLayers();
        float[][] dirs = new float[layers][];
        for (int l = 0; l < layers; l++) {
            dirs[l] = new float[d];
            java.util.Arrays.fill(dirs[l], l + 1);
        }
        Path reg = tmp.resolve("reg");
        new dev.vane.steering.artifact.ArtifactRegistry(reg).save(new dev.vane.steering.artifact.VectorSet(
                dev.vane.engine.hooks.Component.RESID_POST, d, dirs).toArtifact("all", dev.vane.steering.artifact.ModelFingerprint.of(
                        Preset.TINY_LLAMA.config()), com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), java.util.Map.of(),
                dev.vane.steering.artifact.Provenance.now("test", "0".repeat(64))), dev.vane.steering.artifact.ArtifactRegistry.SaveMode.CREATE);
        Path out = tmp.resolve("all.gguf");
        Result r = run("export-gguf", "--name", "all", "--model", model.toString(), "--registry", reg.toString(), "--out", out.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).contains("warning: layer 0 of 'all' not exported");
        assertThat(r.out()).contains("(layers " + ArtifactsCommand.ranges(java.util.stream.IntStream.range(1, layers).boxed().toList()) + ")");
        try (GgufFile g = GgufFile.open(out, 1 << 20)) {
            assertThat(g.tensors()).doesNotContainKey("direction.0").containsKey("direction.1");
            assertThat(g.floats("direction.1")[0]).isEqualTo(2f);
        }
        Result only0 = run("export-gguf", "--name", "all", "--model", model.toString(), "--registry", reg.toString(),
                "--out", out.toString(), "--layers", "0");
        assertThat(only0.status()).isNotZero();
        assertThat(only0.err()).contains("no vector to export on layers [0, 0]");
        Result bad = run("export-gguf", "--name", "all", "--model", model.toString(), "--registry", reg.toString(),
                "--out", out.toString(), "--layers", "3-1");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).contains("--layers: expected N or FIRST-LAST");
        Result beyond = run("export-gguf", "--name", "all", "--model", model.toString(), "--registry", reg.toString(),
                "--out", out.toString(), "--layers", "1-" + layers);
        assertThat(beyond.status()).isEqualTo(2);
        assertThat(beyond.err()).contains("--layers: ").contains("out of range");
    }

    @Test
    void layerRanges() {
        assertThat(ArtifactsCommand.ranges(List.of(0, 1, 2, 5, 7, 8))).isEqualTo("0-2,5,7-8");
        assertThat(ArtifactsCommand.ranges(List.of())).isEqualTo("-");
    }
}
