package dev.vane.engine.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GgufFileTest {

    @TempDir
    Path tmp;

    @Test
    void writerOutputReadsBackWithEveryValueTypeAndAlignment() throws Exception {
        float[] a = {1.5f, -2.25f, 3f, 0.125f, 7f, 8f};
        float[] h = {0.5f, -1f, 65504f};
        Path f = tmp.resolve("m.gguf");
        new GgufWriter().alignment(64)
                .putString("general.name", "tëst").putUint32("u", 4_000_000_000L).putInt32("i", -7)
                .putUint64("big", 1L << 40).putFloat32("f", 0.25f).putBool("yes", true)
                .putStringArray("names", List.of("a", "bc", ""))
                .addTensor("a", GgmlType.F32, a, 3, 2).addTensor("h", GgmlType.F16, h, 3)
                .write(f);

        GgufFile g = GgufFile.open(f, 1 << 20);

        assertThat(g.version()).isEqualTo(3);
        assertThat(g.alignment()).isEqualTo(64);
        assertThat(g.metadata().get("general.name").asString()).isEqualTo("tëst");
        assertThat(g.metadata().get("u").asLong()).isEqualTo(4_000_000_000L);
        assertThat(g.metadata().get("i").asLong()).isEqualTo(-7);
        assertThat(g.metadata().get("big").asLong()).isEqualTo(1L << 40);
        assertThat(g.metadata().get("f").value()).isEqualTo(0.25f);
        assertThat(g.metadata().get("yes").value()).isEqualTo(true);
        assertThat(g.metadata().get("names").asList()).extracting(GgufValue::asString).containsExactly("a", "bc", "");
        assertThat(g.tensors().keySet()).containsExactly("a", "h");
        assertThat(g.tensors().get("a").dims()).containsExactly(3, 2);
        assertThat(g.tensors().get("h").offset() % 64).isZero();
        assertThat(g.floats("a")).containsExactly(a);
        assertThat(g.floats("h")).containsExactly(h);
    }

    @Test
    void everyTruncationBeforeTheLastTensorByteFailsNamingTheFile() {
        byte[] full = new GgufWriter().putString("controlvector.model_hint", "llama")
                .addTensor("direction.1", GgmlType.F32, new float[] {1, 2, 3}, 3).toBytes();
        GgufFile.parse(Path.of("ok.gguf"), ByteBuffer.wrap(full)); // the whole file parses
        int dataEnd = full.length - 32 + 12; // one 32-byte aligned data block holding 3 floats
        for (int cut = 0; cut < dataEnd; cut++) {
            ByteBuffer part = ByteBuffer.wrap(Arrays.copyOf(full, cut));
            int c = cut;
            assertThatThrownBy(() -> GgufFile.parse(Path.of("cut.gguf"), part))
                    .as("cut at %d", c)
                    .isInstanceOf(GgufException.class)
                    .hasMessageStartingWith("cut.gguf: ")
                    .hasMessageContaining(cut < 4 ? "truncated" : "");
        }
        assertThatThrownBy(() -> GgufFile.parse(Path.of("cut.gguf"), ByteBuffer.wrap(Arrays.copyOf(full, dataEnd - 1))))
                .hasMessageContaining("truncated file: tensor 'direction.1' ends at byte");
    }

    @Test
    void badMagicVersionAndTypesAreNamed() throws Exception {
        Path f = tmp.resolve("x.gguf");
        Files.write(f, "GGML\3\0\0\0".getBytes());
        assertThatThrownBy(() -> GgufFile.open(f, 1 << 20)).hasMessageContaining("x.gguf: bad magic");

        byte[] v1 = new GgufWriter().toBytes();
        v1[4] = 1;
        assertThatThrownBy(() -> GgufFile.parse(Path.of("v1.gguf"), ByteBuffer.wrap(v1)))
                .hasMessageContaining("v1.gguf: unsupported GGUF version 1");

        assertThatThrownBy(() -> GgufFile.open(tmp.resolve("missing.gguf"), 1 << 20)).hasMessageContaining("file not found");

        byte[] big = new GgufWriter().addTensor("t", GgmlType.F32, new float[64], 64).toBytes();
        Files.write(f, big);
        assertThatThrownBy(() -> GgufFile.open(f, 100)).hasMessageContaining("more than the limit of 100");
    }

    @Test
    void quantisedTensorIsListedButNotRead() {
        // hand-assembled: one Q4_0 (type 2) tensor, no metadata
        ByteBuffer b = GgufBytes.header(1, 0);
        GgufBytes.string(b, "q");
        b.putInt(1).putLong(32).putInt(2).putLong(0);
        GgufBytes.padTo(b, 32);
        b.put(new byte[18]);
        GgufFile g = GgufFile.parse(Path.of("q.gguf"), GgufBytes.done(b));
        assertThat(g.tensors().get("q").typeId()).isEqualTo(2);
        assertThatThrownBy(() -> g.floats("q")).hasMessageContaining("q.gguf: tensor 'q': unsupported type Q4_0 (2)");
    }

    @Test
    void misalignedOffsetAndUnknownValueTypeFail() {
        ByteBuffer b = GgufBytes.header(1, 0);
        GgufBytes.string(b, "t");
        b.putInt(1).putLong(1).putInt(0).putLong(4);
        assertThatThrownBy(() -> GgufFile.parse(Path.of("m.gguf"), GgufBytes.done(b)))
                .hasMessageContaining("tensor 't': data offset 4 is not a multiple of the alignment 32");

        ByteBuffer c = GgufBytes.header(0, 1);
        GgufBytes.string(c, "k");
        c.putInt(99);
        assertThatThrownBy(() -> GgufFile.parse(Path.of("m.gguf"), GgufBytes.done(c)))
                .hasMessageContaining("metadata 'k': unknown value type 99");
    }

    /** A file whose one metadata value is {@code depth} arrays, each holding the next, the last empty. */
    private static ByteBuffer nestedArrays(int depth) {
        ByteBuffer b = ByteBuffer.allocate(64 + 12 * depth).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(0).putLong(1);
        GgufBytes.string(b, "deep");
        b.putInt(GgufValueType.ARRAY.id());
        for (int i = 1; i < depth; i++) b.putInt(GgufValueType.ARRAY.id()).putLong(1);
        b.putInt(GgufValueType.UINT8.id()).putLong(0);
        return GgufBytes.done(b);
    }

    @Test
    void arraysNestedBeyondTheBoundFailNamingTheKeyInsteadOfOverflowingTheStack() {
        GgufFile ok = GgufFile.parse(Path.of("ok.gguf"), nestedArrays(GgufFile.MAX_ARRAY_DEPTH));
        assertThat(ok.metadata()).containsKey("deep");
        for (int depth : new int[] {GgufFile.MAX_ARRAY_DEPTH + 1, 100_000})
            assertThatThrownBy(() -> GgufFile.parse(Path.of("deep.gguf"), nestedArrays(depth)))
                    .isInstanceOf(GgufException.class)
                    .hasMessage("deep.gguf: metadata 'deep': arrays nested more than " + GgufFile.MAX_ARRAY_DEPTH + " deep");
    }

    /** A header larger than the first prefix read (a vocabulary of megabytes) is read by growing the prefix. */
    @Test
    void aHeaderOfSeveralMegabytesOpens() throws Exception {
        java.util.List<String> tokens = new java.util.ArrayList<>();
        for (int i = 0; i < 200_000; i++) tokens.add("token-" + i + "-padding-padding");
        Path f = tmp.resolve("vocab.gguf");
        new GgufWriter().putStringArray("tokenizer.ggml.tokens", tokens).putInt32Array("tokenizer.ggml.token_type", new int[] {1, 3})
                .addTensor("t", GgmlType.F32, new float[] {4f, 5f}, 2).write(f);
        assertThat(Files.size(f)).isGreaterThan(4L << 20);
        try (GgufFile g = GgufFile.open(f, Long.MAX_VALUE)) {
            assertThat(g.metadata().get("tokenizer.ggml.tokens").asList()).hasSize(200_000);
            assertThat(g.metadata().get("tokenizer.ggml.tokens").asList().get(199_999).asString()).isEqualTo("token-199999-padding-padding");
            assertThat(g.metadata().get("tokenizer.ggml.token_type").asList()).extracting(GgufValue::asLong).containsExactly(1L, 3L);
            assertThat(g.floats("t")).containsExactly(4f, 5f);
        }
    }

    /** Hostile tables fail naming the file and what is wrong, never with an index or capacity error. */
    @Test
    void overflowingOffsetsHugeCountsAndPartialBlocksAreNamed() {
        ByteBuffer b = GgufBytes.header(1, 0); // an offset that wraps the end of the data negative
        GgufBytes.string(b, "t");
        b.putInt(1).putLong(4).putInt(0).putLong(Long.MAX_VALUE - 31);
        assertThatThrownBy(() -> GgufFile.parse(Path.of("o.gguf"), GgufBytes.done(b))).isInstanceOf(GgufException.class)
                .hasMessageContaining("o.gguf: tensor 't': size overflows");

        ByteBuffer c = GgufBytes.header(0, 1); // an array of 2^40 int32 in a few bytes
        GgufBytes.string(c, "k");
        c.putInt(GgufValueType.ARRAY.id()).putInt(GgufValueType.INT32.id()).putLong(1L << 40);
        assertThatThrownBy(() -> GgufFile.parse(Path.of("a.gguf"), GgufBytes.done(c))).isInstanceOf(GgufException.class)
                .hasMessageContaining("a.gguf: truncated file: metadata 'k' declares 1099511627776 array elements");

        ByteBuffer d = GgufBytes.header(1, 0); // a Q8_0 tensor whose rows of 48 are not whole blocks of 32
        GgufBytes.string(d, "q");
        d.putInt(2).putLong(48).putLong(2).putInt(GgmlType.Q8_0.id()).putLong(0);
        GgufBytes.padTo(d, 32);
        d.put(new byte[3 * 34]);
        assertThatThrownBy(() -> GgufFile.parse(Path.of("q.gguf"), GgufBytes.done(d))).isInstanceOf(GgufException.class)
                .hasMessageContaining("q.gguf: tensor 'q': rows of 48 elements are not whole Q8_0 blocks of 32");
    }
}
