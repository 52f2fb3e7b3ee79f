package dev.vane.steering.artifact;

import dev.vane.engine.config.Architecture;
import dev.vane.engine.hooks.Component;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArtifactTest {

    @TempDir
    Path tmp;

    @Test
    void artifactRoundTripsThroughItsDirectory() {
        Artifact a = Samples.artifact("romance", 7);
        a.write(tmp.resolve("romance"));

        Artifact b = Artifact.read(tmp.resolve("romance"), 1 << 20);

        assertThat(b).isEqualTo(a);
        assertThat(b.manifest().params().get("batch").intValue()).isEqualTo(8);
        assertThat(b.manifest().metrics()).containsEntry("valid.accuracy.best", 0.875);
        assertThat(b.manifest().provenance()).isEqualTo(Samples.PROV);
        VectorSet v = VectorSet.from(b);
        assertThat(v.layers()).containsExactly(1, 3);
        assertThat(v.direction(3)).containsExactly(Samples.vectorSet(7).direction(3));
        assertThat(v.site()).isEqualTo(Component.RESID_POST);
    }

    @Test
    void manifestJsonUsesDocumentedNames() {
        String json = Samples.artifact("romance", 1).manifest().toJsonString();
        assertThat(json).contains("\"kind\" : \"vector-set\"", "\"site\" : \"resid_post\"",
                "\"architecture\" : \"llama\"", "\"dataset_sha256\"", "\"layers\" : [ 1, 3 ]");
    }

    @Test
    void fingerprintMismatchNamesArtifactAndFields() {
        Manifest m = Samples.artifact("romance", 1).manifest();
        ModelFingerprint other = new ModelFingerprint(Architecture.QWEN2, 16, 4, 512);

        assertThatThrownBy(() -> m.checkModel(other))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContaining("'romance'")
                .hasMessageContaining("architecture llama vs model qwen2")
                .hasMessageContaining("hidden_size 8 vs model 16")
                .message().doesNotContain("num_layers");
        m.checkModel(Samples.FP); // same model: no exception
    }

    @Test
    void manifestRejectsUnknownKeysAndBadFieldsByName() {
        String good = Samples.artifact("romance", 1).manifest().toJsonString();
        assertThatThrownBy(() -> Manifest.parse(good.replace("\"site\"", "\"siet\""), "m.json"))
                .hasMessageContaining("m.json").hasMessageContaining("siet: unknown key");
        assertThatThrownBy(() -> Manifest.parse(good.replace("\"vector-set\"", "\"vectors\""), "m.json"))
                .hasMessageContaining("kind: unknown artifact kind 'vectors'");
        assertThatThrownBy(() -> Manifest.parse(good.replace("\"hidden_size\" : 8", "\"hidden_size\" : \"8\""), "m.json"))
                .hasMessageContaining("fingerprint.hidden_size: expected an integer");
        assertThatThrownBy(() -> Manifest.parse(good.replace("[ 1, 3 ]", "[ 1, 9 ]"), "m.json"))
                .hasMessageContaining("layers: layer 9 outside [0, 4)");
        assertThatThrownBy(() -> Manifest.parse(good.replace("\"format\" : 1", "\"format\" : 2"), "m.json"))
                .hasMessageContaining("format: unsupported manifest format 2");
        assertThatThrownBy(() -> Manifest.parse("{", "m.json")).hasMessageContaining("m.json: malformed JSON");
    }

    @Test
    void kindsUseTheirJsonNames() {
        assertThat(List.of(ArtifactKind.values()).stream().map(ArtifactKind::jsonName))
                .containsExactly("vector-set", "controller", "gact", "task-embedding", "beacon", "lac");
        assertThat(ArtifactKind.parse("task-embedding", "kind")).isEqualTo(ArtifactKind.TASK_EMBEDDING);
    }

    @Test
    void readRejectsOversizedAndNonF32AndMissingFiles() throws Exception {
        Artifact a = Samples.artifact("romance", 1);
        Path dir = tmp.resolve("romance");
        a.write(dir);
        assertThatThrownBy(() -> Artifact.read(dir, 100)).hasMessageContaining("more than the limit of 100");

        Files.delete(dir.resolve(Artifact.TENSORS));
        assertThatThrownBy(() -> Artifact.read(dir, 1 << 20))
                .hasMessageContaining(Artifact.TENSORS).hasMessageContaining("file not found");
    }

    @Test
    void vectorSetFromOtherKindOrWrongShapeFails() {
        Artifact a = Samples.artifact("romance", 1);
        Manifest m = a.manifest();
        Manifest lac = new Manifest(m.name(), ArtifactKind.LAC, m.fingerprint(), m.site(), m.layers(), m.params(),
                m.metrics(), m.provenance());
        assertThatThrownBy(() -> VectorSet.from(new Artifact(lac, a.tensors())))
                .hasMessageContaining("romance: kind is lac, expected vector-set");
        Artifact bad = new Artifact(m, Map.of(VectorSet.DIRECTIONS, new FloatTensor(new int[] {1, 8}, new float[8])));
        assertThatThrownBy(() -> VectorSet.from(bad)).hasMessageContaining("expected [2, 8]");
    }

    @Test
    void vectorSetArithmetic() {
        VectorSet v = Samples.vectorSet(3);
        VectorSet sum = v.plus(v.scaled(-3f));
        float[] d = v.direction(1);
        float[] s = sum.direction(1);
        for (int i = 0; i < d.length; i++) assertThat(s[i]).isEqualTo(-2f * d[i], org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(sum.has(0)).isFalse();
        assertThatThrownBy(() -> v.direction(0)).hasMessageContaining("no direction for layer 0");
    }
}
