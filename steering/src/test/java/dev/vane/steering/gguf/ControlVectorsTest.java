package dev.vane.steering.gguf;

import dev.vane.engine.config.Architecture;
import dev.vane.engine.gguf.GgmlType;
import dev.vane.engine.gguf.GgufBytes;
import dev.vane.engine.gguf.GgufException;
import dev.vane.engine.gguf.GgufFile;
import dev.vane.engine.gguf.GgufWriter;
import dev.vane.engine.hooks.Component;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.VectorSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControlVectorsTest {

    static final ModelFingerprint MODEL = new ModelFingerprint(Architecture.LLAMA, 4, 5, 512);

    @TempDir
    Path tmp;

    /** A repeng-style file assembled byte by byte: direction.1 and direction.3, hidden size 4. */
    private Path handAssembled() throws Exception {
        ByteBuffer b = GgufBytes.header(2, 3);
        GgufBytes.string(b, "general.architecture");
        b.putInt(8);
        GgufBytes.string(b, "controlvector");
        GgufBytes.string(b, "controlvector.model_hint");
        b.putInt(8);
        GgufBytes.string(b, "llama");
        GgufBytes.string(b, "controlvector.layer_count");
        b.putInt(4).putInt(2);
        GgufBytes.string(b, "direction.3"); // file order need not be layer order
        b.putInt(1).putLong(4).putInt(0).putLong(0);
        GgufBytes.string(b, "direction.1");
        b.putInt(1).putLong(4).putInt(0).putLong(32); // 16 bytes of data padded to 32
        GgufBytes.padTo(b, 32);
        b.putFloat(0.5f).putFloat(-1f).putFloat(2f).putFloat(3.25f);
        GgufBytes.padTo(b, 32);
        b.putFloat(10f).putFloat(20f).putFloat(-30f).putFloat(1e-3f);
        Path f = tmp.resolve("hand.gguf");
        Files.write(f, GgufBytes.done(b).array());
        return f;
    }

    @Test
    void handAssembledFileImportsToTheNamedBlocks() throws Exception {
        VectorSet v = ControlVectors.importGguf(handAssembled(), MODEL);

        assertThat(v.site()).isEqualTo(Component.RESID_POST);
        assertThat(v.layers()).containsExactly(1, 3);
        assertThat(v.direction(3)).containsExactly(0.5f, -1f, 2f, 3.25f);
        assertThat(v.direction(1)).containsExactly(10f, 20f, -30f, 1e-3f);
    }

    @Test
    void exportThenImportIsExact() throws Exception {
        float[][] d = new float[5][];
        d[2] = new float[] {1, 2, 3, 4};
        d[4] = new float[] {-0.1f, 0.2f, -0.3f, Float.MIN_VALUE};
        VectorSet v = new VectorSet(Component.RESID_POST, 4, d);
        Path f = tmp.resolve("v.gguf");
        ControlVectors.exportGguf(v, "llama", f);

        VectorSet back = ControlVectors.importGguf(f, MODEL);
        assertThat(back.layers()).containsExactly(2, 4);
        assertThat(back.direction(4)).containsExactly(d[4]);
        GgufFile g = GgufFile.open(f, 1 << 20);
        assertThat(g.metadata().get(ControlVectors.LAYER_COUNT).asLong()).isEqualTo(2);
        assertThat(g.metadata().get(ControlVectors.MODEL_HINT).asString()).isEqualTo("llama");
    }

    @Test
    void blockZeroIsNotExpressible() throws Exception {
        float[][] d = new float[5][];
        d[0] = new float[4];
        VectorSet v = new VectorSet(Component.RESID_POST, 4, d);
        assertThatThrownBy(() -> ControlVectors.exportGguf(v, "llama", tmp.resolve("z.gguf")))
                .hasMessageContaining("layer 0");
        Path f = tmp.resolve("zero.gguf");
        new GgufWriter().addTensor("direction.0", GgmlType.F32, new float[4], 4).write(f);
        assertThatThrownBy(() -> ControlVectors.importGguf(f, MODEL))
                .hasMessageContaining("zero.gguf: tensor 'direction.0'").hasMessageContaining("block 0");
    }

    @Test
    void wrongLengthNamesTensorAndHiddenSize() throws Exception {
        Path f = tmp.resolve("len.gguf");
        new GgufWriter().addTensor("direction.2", GgmlType.F32, new float[6], 6).write(f);
        assertThatThrownBy(() -> ControlVectors.importGguf(f, MODEL))
                .isInstanceOf(GgufException.class)
                .hasMessageContaining("tensor 'direction.2'").hasMessageContaining("expected [4] (the model's hidden size)");
    }

    @Test
    void otherProblemsAreNamed() throws Exception {
        Path f = tmp.resolve("bad.gguf");
        new GgufWriter().putString(ControlVectors.MODEL_HINT, "qwen2")
                .addTensor("direction.1", GgmlType.F32, new float[4], 4).write(f);
        assertThatThrownBy(() -> ControlVectors.importGguf(f, MODEL)).hasMessageContaining("model_hint is 'qwen2'");

        new GgufWriter().putUint32(ControlVectors.LAYER_COUNT, 3)
                .addTensor("direction.1", GgmlType.F32, new float[4], 4).write(f);
        assertThatThrownBy(() -> ControlVectors.importGguf(f, MODEL)).hasMessageContaining("layer_count is 3");

        new GgufWriter().addTensor("direction.5", GgmlType.F32, new float[4], 4).write(f);
        assertThatThrownBy(() -> ControlVectors.importGguf(f, MODEL)).hasMessageContaining("beyond the model's 5 layers");

        new GgufWriter().addTensor("token_embd.weight", GgmlType.F32, new float[4], 4).write(f);
        assertThatThrownBy(() -> ControlVectors.importGguf(f, MODEL)).hasMessageContaining("'token_embd.weight' is not a control vector");

        new GgufWriter().addTensor("direction.1", GgmlType.F16, new float[4], 4).write(f);
        assertThatThrownBy(() -> ControlVectors.importGguf(f, MODEL)).hasMessageContaining("type F16 (1), control vectors are F32");

        new GgufWriter().putString(ControlVectors.MODEL_HINT, "llama").write(f);
        assertThatThrownBy(() -> ControlVectors.importGguf(f, MODEL)).hasMessageContaining("no direction.N tensors");
    }

    @Test
    void importArtifactRecordsProvenance() throws Exception {
        Path f = handAssembled();
        var a = ControlVectors.importArtifact(f, "hand", MODEL, 1 << 20, "vane import gguf hand.gguf");
        assertThat(a.manifest().params().get("model_hint").asText()).isEqualTo("llama");
        assertThat(a.manifest().provenance().datasetSha256()).isEqualTo(
                dev.vane.steering.artifact.Provenance.sha256(f));
        assertThat(VectorSet.from(a).direction(1)).containsExactly(10f, 20f, -30f, 1e-3f);
    }
}
