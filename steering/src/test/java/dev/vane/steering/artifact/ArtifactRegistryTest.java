package dev.vane.steering.artifact;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArtifactRegistryTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"", "..", ".", "../x", "a/b", "a\\b", "/etc", ".hidden", "-dash", "UPPER", "a b",
            "x\u0000y", "é"})
    void invalidNamesAreRejectedNamingTheField(String name) {
        ArtifactRegistry reg = new ArtifactRegistry(tmp.resolve("reg"));
        assertThatThrownBy(() -> reg.load(name, Samples.FP))
                .isInstanceOf(ArtifactException.class).hasMessageStartingWith("name: invalid artifact name");
        assertThatThrownBy(() -> reg.delete(name)).isInstanceOf(ArtifactException.class);
        assertThatThrownBy(() -> reg.exists(name)).isInstanceOf(ArtifactException.class);
    }

    @Test
    void lengthLimitIs64() {
        assertThat(ArtifactRegistry.validateName("a".repeat(64))).hasSize(64);
        assertThatThrownBy(() -> ArtifactRegistry.validateName("a".repeat(65))).hasMessageContaining("name:");
        assertThat(ArtifactRegistry.validateName("genre-romance_v1.2")).isEqualTo("genre-romance_v1.2");
    }

    @Test
    void saveListLoadDelete() throws Exception {
        ArtifactRegistry reg = new ArtifactRegistry(tmp.resolve("reg"));
        assertThat(reg.names()).isEmpty();
        reg.save(Samples.artifact("b-vec", 1));
        reg.save(Samples.artifact("a-vec", 2));

        assertThat(reg.names()).containsExactly("a-vec", "b-vec");
        assertThat(reg.list().manifests()).extracting(Manifest::name).containsExactly("a-vec", "b-vec");
        assertThat(reg.load("a-vec", Samples.FP)).isEqualTo(Samples.artifact("a-vec", 2));
        try (Stream<Path> s = Files.list(reg.root())) { // no temporary directories left behind
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("a-vec", "b-vec");
        }

        assertThat(reg.delete("a-vec")).isTrue();
        assertThat(reg.delete("a-vec")).isFalse();
        assertThat(reg.names()).containsExactly("b-vec");
        assertThatThrownBy(() -> reg.load("a-vec", Samples.FP)).hasMessageContaining("'a-vec' not found");
    }

    @Test
    void createRefusesToOverwriteReplaceDoes() {
        ArtifactRegistry reg = new ArtifactRegistry(tmp.resolve("reg"));
        reg.save(Samples.artifact("vec", 1));
        assertThatThrownBy(() -> reg.save(Samples.artifact("vec", 2))).hasMessageContaining("'vec' already exists");
        reg.save(Samples.artifact("vec", 2), ArtifactRegistry.SaveMode.REPLACE);
        assertThat(reg.load("vec", Samples.FP)).isEqualTo(Samples.artifact("vec", 2));
    }

    @Test
    void loadChecksFingerprintAndStoredName() throws Exception {
        ArtifactRegistry reg = new ArtifactRegistry(tmp.resolve("reg"));
        reg.save(Samples.artifact("vec", 1));
        ModelFingerprint bigger = new ModelFingerprint(Samples.FP.architecture(), 8, 6, 512);
        assertThatThrownBy(() -> reg.load("vec", bigger))
                .hasMessageContaining("artifact 'vec'").hasMessageContaining("num_layers 4 vs model 6");

        // a directory renamed by hand no longer matches its manifest
        Files.move(reg.root().resolve("vec"), reg.root().resolve("other"));
        assertThatThrownBy(() -> reg.load("other", Samples.FP)).hasMessageContaining("its manifest names it 'vec'");
    }

    @Test
    void sizeLimitAppliesToSaveAndLoad() {
        ArtifactRegistry small = new ArtifactRegistry(tmp.resolve("reg"), 200);
        assertThatThrownBy(() -> small.save(Samples.artifact("vec", 1))).hasMessageContaining("registry limit of 200");
        new ArtifactRegistry(tmp.resolve("reg")).save(Samples.artifact("vec", 1));
        assertThatThrownBy(() -> small.load("vec", Samples.FP)).hasMessageContaining("more than the limit of 200");
    }
}
