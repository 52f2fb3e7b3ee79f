package dev.vane.steering.control;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.vane.engine.config.Architecture;
import dev.vane.engine.hooks.Component;
import dev.vane.steering.artifact.Artifact;
import dev.vane.steering.artifact.ArtifactKind;
import dev.vane.steering.artifact.ArtifactRegistry;
import dev.vane.steering.artifact.ArtifactRegistry.SaveMode;
import dev.vane.steering.artifact.FloatTensor;
import dev.vane.steering.artifact.Manifest;
import dev.vane.steering.artifact.ModelFingerprint;
import dev.vane.steering.artifact.Provenance;
import dev.vane.steering.artifact.VectorSet;
import dev.vane.steering.gguf.ControlVectors;
import dev.vane.steering.plan.InterventionSpec;
import dev.vane.steering.plan.ModelShape;
import dev.vane.steering.plan.PhaseScope;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Storing, replacing and deleting artifacts of a running server, and how each refusal is typed. */
class ArtifactAdminTest {

    private static final ModelFingerprint FP = new ModelFingerprint(Architecture.LLAMA, 8, 3, 512);

    @TempDir Path tmp;
    private ArtifactRegistry registry;
    private RegistryArtifacts artifacts;
    private SteeringControl steering;
    private ArtifactAdmin admin;
    private final List<SteeringControl.Change> changes = new ArrayList<>();

    @BeforeEach
    void setUp() {
        registry = new ArtifactRegistry(tmp.resolve("registry"), 1 << 20);
        artifacts = new RegistryArtifacts(registry, FP);
        steering = new SteeringControl(artifacts, new ModelShape(FP.numLayers(), FP.hiddenSize()), changes::add);
        admin = new ArtifactAdmin(artifacts, steering, changes::add);
    }

    /** A vector set with one direction, all {@code value}, at {@code layer}. */
    private static VectorSet vectors(int layer, float value) {
        float[][] d = new float[FP.numLayers()][];
        d[layer] = new float[FP.hiddenSize()];
        java.util.Arrays.fill(d[layer], value);
        return new VectorSet(Component.RESID_POST, FP.hiddenSize(), d);
    }

    private ArtifactUpload.Vane upload(String name, VectorSet v, ModelFingerprint fp) throws IOException {
        Path dir = tmp.resolve("src-" + name + "-" + System.nanoTime());
        v.toArtifact(name, fp, JsonNodeFactory.instance.objectNode(), Map.of(), Provenance.now("test", "0".repeat(64))).write(dir);
        return new ArtifactUpload.Vane(Files.readString(dir.resolve(Artifact.MANIFEST)), Files.readAllBytes(dir.resolve(Artifact.TENSORS)));
    }

    private static ControlException.Problem problem(Throwable t) { return ((ControlException) t).problem(); }

    private static Optional<String> field(Throwable t) { return ((ControlException) t).field(); }

    @Test
    void aVaneUploadIsStoredListedAndReportedAndCreateRefusesATakenName() throws IOException {
        Manifest m = admin.store("v", upload("v", vectors(1, 1f), FP), SaveMode.CREATE, "tester");
        assertThat(m.kind()).isEqualTo(ArtifactKind.VECTOR_SET);
        assertThat(admin.names()).containsExactly("v");
        assertThat(admin.list().manifests()).extracting(Manifest::name).containsExactly("v");
        assertThat(admin.manifest("v").kind()).isEqualTo(ArtifactKind.VECTOR_SET);
        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo("artifact");
            assertThat(c.who()).isEqualTo("tester");
            assertThat(c.what()).contains("created artifact v");
        });
        ArtifactUpload again = upload("v", vectors(1, 2f), FP);
        assertThatThrownBy(() -> admin.store("v", again, SaveMode.CREATE, "tester")).isInstanceOf(ControlException.class)
                .satisfies(e -> assertThat(problem(e)).isEqualTo(ControlException.Problem.CONFLICT))
                .satisfies(e -> assertThat(field(e)).contains("name"));
    }

    @Test
    void aReplacedArtifactIsWhatPlansSeeNext() throws IOException {
        admin.store("v", upload("v", vectors(1, 1f), FP), SaveMode.CREATE, "tester");
        assertThat(artifacts.vectors("v").byLayer().get(1)[0]).isEqualTo(1f);
        admin.store("v", upload("v", vectors(1, 5f), FP), SaveMode.REPLACE, "tester");
        assertThat(artifacts.vectors("v").byLayer().get(1)[0]).isEqualTo(5f);
        assertThat(changes.get(1).what()).contains("stored artifact v");
    }

    @Test
    void aGgufControlVectorIsImportedAsAVectorSet() throws IOException {
        Path gguf = tmp.resolve("cv.gguf");
        ControlVectors.exportGguf(vectors(2, 0.5f), "llama", gguf);
        Manifest m = admin.store("cv", new ArtifactUpload.Gguf(Files.readAllBytes(gguf)), SaveMode.CREATE, "tester");
        assertThat(m.kind()).isEqualTo(ArtifactKind.VECTOR_SET);
        assertThat(m.provenance().command()).contains("tester");
        assertThat(artifacts.vectors("cv").byLayer()).containsOnlyKeys(2);
    }

    @Test
    void badUploadsAreInvalidAndNameTheFieldAtFault() throws IOException {
        ModelFingerprint other = new ModelFingerprint(FP.architecture(), FP.hiddenSize(), FP.numLayers(), FP.vocabSize() + 1);
        ArtifactUpload wrongModel = upload("w", vectors(1, 1f), other);
        assertThatThrownBy(() -> admin.store("w", wrongModel, SaveMode.CREATE, "t"))
                .satisfies(e -> assertThat(problem(e)).isEqualTo(ControlException.Problem.INVALID))
                .satisfies(e -> assertThat(field(e)).contains("manifest.fingerprint"));
        ArtifactUpload misnamed = upload("x", vectors(1, 1f), FP);
        assertThatThrownBy(() -> admin.store("y", misnamed, SaveMode.CREATE, "t"))
                .satisfies(e -> assertThat(field(e)).contains("manifest.name"));
        assertThatThrownBy(() -> admin.store("z", new ArtifactUpload.Vane("{not json", new byte[0]), SaveMode.CREATE, "t"))
                .satisfies(e -> assertThat(field(e)).contains("manifest"));
        assertThatThrownBy(() -> admin.store("g", new ArtifactUpload.Gguf("GGUF-not-really".getBytes()), SaveMode.CREATE, "t"))
                .isInstanceOf(ControlException.class)
                .satisfies(e -> assertThat(problem(e)).isEqualTo(ControlException.Problem.INVALID))
                .satisfies(e -> assertThat(field(e)).isEmpty());
        for (String bad : new String[] {"../escape", "Upper", ".hidden", "a/b", ""})
            assertThatThrownBy(() -> admin.store(bad, misnamed, SaveMode.CREATE, "t")).as(bad)
                    .satisfies(e -> assertThat(field(e)).contains("name"));
        assertThat(admin.names()).isEmpty();
        assertThat(changes).isEmpty();
    }

    /** A vector-set upload whose one direction (at layer 1) is {@code row}, bypassing VectorSet's own checks. */
    private ArtifactUpload.Vane rawVectors(String name, float[] row, int rows) throws IOException {
        Path dir = tmp.resolve("raw-" + name + "-" + System.nanoTime());
        Manifest m = new Manifest(name, ArtifactKind.VECTOR_SET, FP, Component.RESID_POST, List.of(1),
                JsonNodeFactory.instance.objectNode(), Map.of(), Provenance.now("test", "0".repeat(64)));
        float[] data = new float[rows * row.length];
        for (int r = 0; r < rows; r++) System.arraycopy(row, 0, data, r * row.length, row.length);
        new Artifact(m, Map.of(VectorSet.DIRECTIONS, new FloatTensor(new int[] {rows, row.length}, data))).write(dir);
        return new ArtifactUpload.Vane(Files.readString(dir.resolve(Artifact.MANIFEST)), Files.readAllBytes(dir.resolve(Artifact.TENSORS)));
    }

    @Test
    void uploadsWithValuesOutOfRangeOrOfTheWrongShapeAreRefusedNamingTheProblem() throws IOException {
        float[] row = new float[FP.hiddenSize()];
        for (float bad : new float[] {3e38f, 1e6f, Float.NaN, Float.POSITIVE_INFINITY}) {
            row[3] = bad;
            ArtifactUpload up = rawVectors("bad", row, 1);
            assertThatThrownBy(() -> admin.store("bad", up, SaveMode.CREATE, "t")).as("value %s", bad)
                    .isInstanceOf(ControlException.class)
                    .satisfies(e -> assertThat(problem(e)).isEqualTo(ControlException.Problem.INVALID))
                    .hasMessageContaining("tensor 'directions'")
                    .hasMessageContaining(Float.isFinite(bad) ? "beyond the limit of ±100000" : "values must be finite");
        }
        java.util.Arrays.fill(row, 4e4f); // each value in range, the direction's norm (1.1e5) not
        ArtifactUpload longDirection = rawVectors("long", row, 1);
        assertThatThrownBy(() -> admin.store("long", longDirection, SaveMode.CREATE, "t"))
                .hasMessageContaining("layer 1 has L2 norm").hasMessageContaining("beyond the limit of 100000");
        java.util.Arrays.fill(row, 1f);
        ArtifactUpload twoRowsForOneLayer = rawVectors("shape", row, 2);
        assertThatThrownBy(() -> admin.store("shape", twoRowsForOneLayer, SaveMode.CREATE, "t"))
                .satisfies(e -> assertThat(problem(e)).isEqualTo(ControlException.Problem.INVALID))
                .hasMessageContaining("has shape [2, 8], expected [1, 8]");
        Path gguf = tmp.resolve("huge.gguf");
        ControlVectors.exportGguf(vectors(2, 3e38f), "llama", gguf);
        ArtifactUpload hugeGguf = new ArtifactUpload.Gguf(Files.readAllBytes(gguf));
        assertThatThrownBy(() -> admin.store("huge", hugeGguf, SaveMode.CREATE, "t"))
                .satisfies(e -> assertThat(problem(e)).isEqualTo(ControlException.Problem.INVALID))
                .hasMessageContaining("beyond the limit");
        assertThat(admin.names()).isEmpty();
        assertThat(changes).isEmpty();
    }

    @Test
    void anArtifactInUseCannotBeDeletedAndAnUnknownOneIsNotFound() throws IOException {
        admin.store("v", upload("v", vectors(1, 1f), FP), SaveMode.CREATE, "tester");
        steering.putProfile(new Profile("p", List.of(new InterventionSpec.Vector("v", 1.0, Optional.empty(), Optional.empty(),
                PhaseScope.BOTH))), "tester");
        assertThatThrownBy(() -> admin.delete("v", "tester"))
                .satisfies(e -> assertThat(problem(e)).isEqualTo(ControlException.Problem.CONFLICT))
                .hasMessageContaining("[p]");
        steering.deleteProfile("p", "tester");
        admin.delete("v", "tester");
        assertThat(admin.names()).isEmpty();
        assertThat(changes.getLast().what()).isEqualTo("deleted artifact v");
        assertThatThrownBy(() -> admin.delete("v", "tester"))
                .satisfies(e -> assertThat(problem(e)).isEqualTo(ControlException.Problem.NOT_FOUND));
        assertThatThrownBy(() -> admin.manifest("v"))
                .satisfies(e -> assertThat(problem(e)).isEqualTo(ControlException.Problem.NOT_FOUND))
                .satisfies(e -> assertThat(field(e)).contains("name"));
    }
}
