package dev.vane.engine.model;

import dev.vane.engine.cache.KvCache;
import dev.vane.engine.fixture.FixtureWriter;
import dev.vane.engine.fixture.Preset;
import dev.vane.engine.hooks.StepHooks;
import dev.vane.engine.kernel.F16Matrix;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packed-weights cache ({@code --weights-cache auto}): written at the first load, used by the
 * next while the checkpoint is unchanged, rebuilt when the checkpoint changes or an entry is
 * damaged, and never read with {@code off}; a model loaded from it maps its matrices (no copy)
 * and computes the same bits.
 */
class PackedCacheTest {

    private static final int[] PROMPT = {1, 17, 250, 3, 99};

    private static LoadOptions options(WeightCache cache) {
        return new LoadOptions(Optional.of(ComputeDType.F16), 32, Backend.Request.JAVA, 2, cache);
    }

    private static float[] logits(Path dir, WeightCache cache) {
        return load(dir, cache).logits();
    }

    /** The logits of a load, and whether its matrices lie in a mapping of the cache file rather than memory of their own. */
    private record Load(float[] logits, List<Boolean> mapped) {}

    private static Load load(Path dir, WeightCache cache) {
        try (CausalLM model = ModelLoader.load(dir, options(cache)); KvCache kv = model.newCache(1, 32)) {
            float[] logits = model.forwardLogits(StepInput.prompt(PROMPT, 0), kv, StepHooks.NONE, LogitsMode.LAST);
            JavaDecoder decoder = (JavaDecoder) model;
            decoder.weightsSaved().join(); // written beside serving
            return new Load(logits, decoder.matrices().stream().map(m -> ((F16Matrix) m).packed().halves().isMapped()).toList());
        }
    }

    private static Path cacheFile(Path dir) {
        return dir.resolve(".vane").resolve("packed-f16.bin");
    }

    @Test
    void theSecondLoadUsesTheFileAndComputesTheSameBits(@TempDir Path dir) throws IOException {
        FixtureWriter.write(Preset.TINY_QWEN3.config(), FileDType.BF16, 3, dir);
        float[] fresh = logits(dir, WeightCache.OFF);
        assertThat(cacheFile(dir)).doesNotExist();

        Files.createDirectories(cacheFile(dir).getParent()); // a killed writer's leftover
        Files.write(cacheFile(dir).resolveSibling("packed-f16.bin.tmp"), new byte[] {9, 9, 9});
        Load packing = load(dir, WeightCache.AUTO); // packs and writes
        assertThat(packing.logits()).isEqualTo(fresh);
        assertThat(packing.mapped()).hasSizeGreaterThan(4).containsOnly(false);
        assertThat(cacheFile(dir)).isRegularFile();
        try (var files = Files.list(cacheFile(dir).getParent())) {
            assertThat(files).containsExactlyInAnyOrder(cacheFile(dir), cacheFile(dir).resolveSibling("packed-f16.bin.lock")); // the leftover overwritten and renamed
        }
        FileTime written = Files.getLastModifiedTime(cacheFile(dir));
        long size = Files.size(cacheFile(dir));

        Load cached = load(dir, WeightCache.AUTO); // maps the file: nothing to rewrite
        assertThat(cached.logits()).isEqualTo(fresh);
        assertThat(cached.mapped()).hasSameSizeAs(packing.mapped()).containsOnly(true); // no copy of the weights
        assertThat(Files.getLastModifiedTime(cacheFile(dir))).isEqualTo(written);
        assertThat(Files.size(cacheFile(dir))).isEqualTo(size);
    }

    @Test
    void aChangedCheckpointIsPackedAgainAndTheFileRewritten(@TempDir Path dir) throws IOException {
        FixtureWriter.write(Preset.TINY_LLAMA.config(), FileDType.F16, 3, dir);
        float[] before = logits(dir, WeightCache.AUTO);
        FileTime written = Files.getLastModifiedTime(cacheFile(dir));

        FixtureWriter.write(Preset.TINY_LLAMA.config(), FileDType.F16, 4, dir); // other weights, same shapes
        float[] changed = logits(dir, WeightCache.OFF);
        assertThat(changed).isNotEqualTo(before);
        assertThat(logits(dir, WeightCache.AUTO)).isEqualTo(changed);
        assertThat(Files.getLastModifiedTime(cacheFile(dir))).isNotEqualTo(written);
        assertThat(logits(dir, WeightCache.AUTO)).isEqualTo(changed); // and the rewritten file serves
    }

    @Test
    void aDamagedEntryIsPackedAgainAndTheFileRewritten(@TempDir Path dir) throws IOException {
        FixtureWriter.write(Preset.TINY_LLAMA.config(), FileDType.F16, 5, dir);
        float[] fresh = logits(dir, WeightCache.AUTO);
        Path file = cacheFile(dir);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = ch.size() - 100; // inside the last matrix's halves
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x40)).position(0);
            ch.write(b, at);
        }
        Files.setLastModifiedTime(file, FileTime.fromMillis(0));
        assertThat(logits(dir, WeightCache.AUTO)).isEqualTo(fresh);
        assertThat(Files.getLastModifiedTime(file)).isNotEqualTo(FileTime.fromMillis(0)); // rewritten

        byte[] bytes = Files.readAllBytes(file); // a flipped bit in a header's lift: caught by the header's checksum
        byte[] name = HfNames.layer(0, HfNames.O).getBytes(StandardCharsets.UTF_8);
        int at = indexOf(bytes, name) + name.length + 8; // after the name: out, in, then lift
        bytes[at] ^= 1;
        Files.write(file, bytes);
        Files.setLastModifiedTime(file, FileTime.fromMillis(0));
        assertThat(logits(dir, WeightCache.AUTO)).isEqualTo(fresh);
        assertThat(Files.getLastModifiedTime(file)).isNotEqualTo(FileTime.fromMillis(0)); // rewritten

        Files.write(file, new byte[] {1, 2, 3}); // garbage: packed again as well
        assertThat(logits(dir, WeightCache.AUTO)).isEqualTo(fresh);
        assertThat(Files.size(file)).isGreaterThan(3);
    }

    @Test
    void offNeitherReadsNorWritesTheFile(@TempDir Path dir) throws IOException {
        FixtureWriter.write(Preset.TINY_LLAMA.config(), FileDType.F16, 6, dir);
        float[] fresh = logits(dir, WeightCache.AUTO);
        Files.write(cacheFile(dir), new byte[] {1, 2, 3});
        assertThat(logits(dir, WeightCache.OFF)).isEqualTo(fresh);
        assertThat(Files.size(cacheFile(dir))).isEqualTo(3);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not in the file");
    }
}
