package dev.vane.steering.artifact;

import dev.vane.steering.artifact.FaultyFileSystem.Fault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The registry under crashes and storage failures: a corrupt manifest, what a crash leaves, a
 * full, read-only or failing disk. File systems that fail on purpose come from
 * {@link FaultyFileSystem}.
 */
class RegistryFaultsTest {

    @TempDir
    Path tmp;

    private List<String> entries(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aCorruptManifestIsSkippedAndReportedWhileTheOthersList() throws Exception {
        ArtifactRegistry reg = new ArtifactRegistry(tmp.resolve("reg"));
        reg.save(Samples.artifact("a-vec", 1));
        reg.save(Samples.artifact("b-vec", 2));
        reg.save(Samples.artifact("c-vec", 3));
        Files.writeString(reg.root().resolve("b-vec").resolve(Artifact.MANIFEST), "{\"format\": 1, \"name\": ");

        ArtifactRegistry.Listing listing = reg.list();

        assertThat(listing.manifests()).extracting(Manifest::name).containsExactly("a-vec", "c-vec");
        assertThat(listing.problems()).hasSize(1);
        ArtifactRegistry.Problem p = listing.problems().get(0);
        assertThat(p.name()).isEqualTo("b-vec");
        assertThat(p.message()).startsWith("b-vec/manifest.json").doesNotContain(tmp.toString());
    }

    @Test
    void errorsNameFilesRelativeToTheRegistry() throws Exception {
        ArtifactRegistry reg = new ArtifactRegistry(tmp.resolve("reg"));
        reg.save(Samples.artifact("vec", 1));
        Files.write(reg.root().resolve("vec").resolve(Artifact.TENSORS), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> reg.load("vec", Samples.FP))
                .hasMessageStartingWith("vec/tensors.safetensors").hasMessageNotContaining(tmp.toString());
        assertThatThrownBy(() -> reg.load("none", Samples.FP))
                .hasMessage("artifact 'none' not found");
        assertThatThrownBy(() -> reg.save(Samples.artifact("vec", 2)))
                .hasMessage("artifact 'vec' already exists");
    }

    /** The state a crash between the two renames of a replace leaves, made by hand. */
    @Test
    void aReplaceCutBetweenItsRenamesIsFinishedAtStart() throws Exception {
        ArtifactRegistry reg = new ArtifactRegistry(tmp.resolve("reg"));
        reg.save(Samples.artifact("vec", 1));
        String id = UUID.randomUUID().toString();
        Samples.artifact("vec", 2).write(reg.root().resolve(".tmp-vec-" + id));  // the new one, complete
        Files.move(reg.root().resolve("vec"), reg.root().resolve(".old-vec-" + id)); // the old one, moved out
        assertThat(reg.names()).as("the crash hides the artifact").isEmpty();

        ArtifactRegistry restarted = new ArtifactRegistry(reg.root());
        ArtifactRegistry.Recovery r = restarted.recover();

        assertThat(r.completed()).containsExactly("vec");
        assertThat(restarted.load("vec", Samples.FP)).isEqualTo(Samples.artifact("vec", 2));
        assertThat(entries(reg.root())).containsExactly("vec");
    }

    @Test
    void leftoversOfInterruptedWritesAreRemovedAtStartAndArtifactsKept() throws Exception {
        ArtifactRegistry reg = new ArtifactRegistry(tmp.resolve("reg"));
        reg.save(Samples.artifact("kept", 1));
        // a save cut before its rename, a replace cut after both renames, a delete and an upload cut short
        Samples.artifact("new", 2).write(reg.root().resolve(".tmp-new-" + UUID.randomUUID()));
        Samples.artifact("kept", 3).write(reg.root().resolve(".old-kept-" + UUID.randomUUID()));
        Samples.artifact("gone", 4).write(reg.root().resolve(".del-gone-" + UUID.randomUUID()));
        Files.createDirectories(reg.root().resolve(".upload-" + UUID.randomUUID()).resolve("x"));

        ArtifactRegistry.Recovery r = new ArtifactRegistry(reg.root()).recover();

        assertThat(r.completed()).isEmpty();
        assertThat(r.removed()).hasSize(4);
        assertThat(entries(reg.root())).containsExactly("kept");
        assertThat(reg.load("kept", Samples.FP)).isEqualTo(Samples.artifact("kept", 1));
    }

    @Test
    void uploadsAreStagedInsideTheRegistryAndRemovedOnClose() throws Exception {
        ArtifactRegistry reg = new ArtifactRegistry(tmp.resolve("reg"));
        Path dir;
        try (ArtifactRegistry.Staging s = reg.stage()) {
            dir = s.dir();
            assertThat(dir.getParent()).isEqualTo(reg.root());
            assertThat(s.relative(dir.resolve("manifest.json") + ": bad")).isEqualTo("manifest.json: bad");
            Files.writeString(dir.resolve("x"), "y");
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void savedFilesAndDirectoriesAreFlushedBeforeTheRename() throws Exception {
        FaultyFileSystem fs = new FaultyFileSystem();
        ArtifactRegistry reg = new ArtifactRegistry(fs.wrap(tmp.resolve("reg")));
        reg.save(Samples.artifact("vec", 1));

        List<String> forced = fs.forced().stream().map(p -> tmp.resolve("reg").relativize(p).toString()).toList();
        assertThat(forced).anyMatch(p -> p.matches("\\.tmp-vec-.*/manifest\\.json"))
                .anyMatch(p -> p.matches("\\.tmp-vec-.*/tensors\\.safetensors"))
                .anyMatch(p -> p.matches("\\.tmp-vec-[^/]*"))
                .contains("");  // the registry directory, after the rename
        int lastFile = forced.indexOf(forced.stream().filter(p -> p.endsWith(".safetensors")).findFirst().orElseThrow());
        assertThat(forced.subList(lastFile, forced.size())).contains("");
    }

    @Test
    void aDiskThatFillsDuringTheWriteFailsAsFullAndLeavesNothing() throws Exception {
        FaultyFileSystem fs = new FaultyFileSystem();
        ArtifactRegistry reg = new ArtifactRegistry(fs.wrap(tmp.resolve("reg")));
        reg.save(Samples.artifact("old", 1));
        fs.fail(Fault.FULL, 100).reportUsable(1L << 30);

        assertThatThrownBy(() -> reg.save(Samples.artifact("vec", 2)))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.FULL))
                .hasMessageContaining("No space left on device");
        assertThatThrownBy(() -> reg.save(Samples.artifact("old", 2), ArtifactRegistry.SaveMode.REPLACE))
                .isInstanceOf(StorageException.class);

        fs.fail(Fault.NONE);
        assertThat(entries(tmp.resolve("reg"))).containsExactly("old");
        assertThat(reg.load("old", Samples.FP)).isEqualTo(Samples.artifact("old", 1));
    }

    @Test
    void tooLittleFreeSpaceIsRefusedBeforeAnythingIsWritten() throws Exception {
        FaultyFileSystem fs = new FaultyFileSystem();
        ArtifactRegistry reg = new ArtifactRegistry(fs.wrap(tmp.resolve("reg")));
        Files.createDirectories(tmp.resolve("reg"));
        fs.fail(Fault.FULL, 10);

        assertThatThrownBy(() -> reg.save(Samples.artifact("vec", 2)))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.FULL))
                .hasMessageContaining("10 usable");
        assertThat(fs.forced()).isEmpty();
        assertThat(entries(tmp.resolve("reg"))).isEmpty();
    }

    @Test
    void aReadOnlyRegistryFailsChangesAsReadOnlyAndStillReads() throws Exception {
        FaultyFileSystem fs = new FaultyFileSystem();
        ArtifactRegistry reg = new ArtifactRegistry(fs.wrap(tmp.resolve("reg")));
        reg.save(Samples.artifact("vec", 1));
        fs.fail(Fault.READ_ONLY);

        for (Runnable change : List.<Runnable>of(() -> reg.save(Samples.artifact("new", 2)),
                () -> reg.save(Samples.artifact("vec", 2), ArtifactRegistry.SaveMode.REPLACE),
                () -> reg.delete("vec"), reg::stage))
            assertThatThrownBy(change::run).isInstanceOfSatisfying(StorageException.class,
                    e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.READ_ONLY));
        assertThat(reg.list().manifests()).extracting(Manifest::name).containsExactly("vec");
        assertThat(reg.load("vec", Samples.FP)).isEqualTo(Samples.artifact("vec", 1));
    }

    @Test
    void aRegistryThatCannotBeListedFailsAsStorage() throws Exception {
        FaultyFileSystem fs = new FaultyFileSystem();
        ArtifactRegistry reg = new ArtifactRegistry(fs.wrap(tmp.resolve("reg")));
        reg.save(Samples.artifact("vec", 1));
        fs.fail(Fault.BROKEN);
        assertThatThrownBy(reg::list).isInstanceOfSatisfying(StorageException.class,
                e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.FAILED)).hasMessageContaining("Input/output error");
    }
}
