package dev.vane.engine.weights;

import dev.vane.engine.gguf.GgmlType;
import dev.vane.engine.gguf.GgufBytes;
import dev.vane.engine.gguf.GgufFile;
import dev.vane.engine.gguf.GgufWriter;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GgufWeightsTest {

    @Test
    void huggingFaceNamesMapToGgufNames() {
        assertThat(GgufWeights.ggufName("model.embed_tokens.weight")).contains("token_embd.weight");
        assertThat(GgufWeights.ggufName("model.layers.11.self_attn.k_proj.bias")).contains("blk.11.attn_k.bias");
        assertThat(GgufWeights.ggufName("model.layers.0.mlp.down_proj.weight")).contains("blk.0.ffn_down.weight");
        assertThat(GgufWeights.ggufName("model.layers.3.self_attn.q_norm.weight")).contains("blk.3.attn_q_norm.weight");
        assertThat(GgufWeights.ggufName("lm_head.weight")).contains("output.weight");
        assertThat(GgufWeights.ggufName("model.layers.0.mlp.experts.weight")).isEmpty();
    }

    /** Rows and vectors come back in Hugging Face order: q/k halves de-interleaved for llama files, dims reversed, F16 exact, Q8_0 dequantised. */
    @Test
    void rowsComeBackInHuggingFaceOrder() {
        int dh = 4, rows = 8, cols = 32;
        float[] q = new float[rows * cols], bias = new float[rows];
        for (int r = 0; r < rows; r++) {
            bias[r] = r;
            for (int i = 0; i < cols; i++) q[r * cols + i] = r + i / 64f;
        }
        byte[] bytes = new GgufWriter().addTensor("blk.0.attn_q.weight", GgmlType.F16, q, cols, rows)
                .addTensor("blk.0.attn_q.bias", GgmlType.F32, bias, rows).toBytes();
        try (GgufWeights w = new GgufWeights(GgufFile.parse(Path.of("m.gguf"), ByteBuffer.wrap(bytes)), true, dh)) {
            // file row 2i + s of a head holds HF row s·dh/2 + i: file rows 0,1,2,3 are HF rows 0,2,1,3
            assertThat(w.floats("model.layers.0.self_attn.q_proj.bias", new long[] {rows})).containsExactly(0, 2, 1, 3, 4, 6, 5, 7);
            short[] row = new short[cols];
            w.f16Rows("model.layers.0.self_attn.q_proj.weight", new long[] {rows, cols}).row(1, row);
            assertThat(Float.float16ToFloat(row[0])).isEqualTo(2f);
            assertThat(Float.float16ToFloat(row[31])).isEqualTo(2 + 31 / 64f);
            assertThatThrownBy(() -> w.f16Rows("model.layers.0.self_attn.q_proj.weight", new long[] {cols, rows}))
                    .hasMessageContaining("m.gguf: tensor 'blk.0.attn_q.weight' has shape [8, 32], expected [32, 8]");
            assertThatThrownBy(() -> w.floats("model.layers.0.self_attn.v_proj.bias", new long[] {rows}))
                    .hasMessageContaining("m.gguf: missing tensor 'blk.0.attn_v.bias'");
        }
    }

    @Test
    void aTensorOfATypeVaneDoesNotReadFailsNamingIt() {
        ByteBuffer b = GgufBytes.header(1, 0); // one Q5_K (type 13) tensor of 256 × 2
        GgufBytes.string(b, "blk.0.ffn_up.weight");
        b.putInt(2).putLong(256).putLong(2).putInt(13).putLong(0);
        GgufBytes.padTo(b, 32);
        b.put(new byte[2 * 176]);
        GgufFile g = GgufFile.parse(Path.of("k.gguf"), GgufBytes.done(b));
        try (GgufWeights w = new GgufWeights(g, false, 16)) {
            assertThatThrownBy(() -> w.f16Rows("model.layers.0.mlp.up_proj.weight", new long[] {2, 256}))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("k.gguf: tensor 'blk.0.ffn_up.weight' has type Q5_K (13), which Vane does not read");
        }
    }

    /** Quantised storage read as f16 rows ({@code --dtype f16} on a quantised file): each weight d·q or d·(n − 8), rounded to f16. */
    @Test
    void quantisedTensorsReadAsF16Rows() {
        int rows = 2, cols = 32;
        byte[] q8 = new byte[rows * 34], q4 = new byte[rows * 18];
        ByteBuffer b8 = ByteBuffer.wrap(q8).order(java.nio.ByteOrder.LITTLE_ENDIAN), b4 = ByteBuffer.wrap(q4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            b8.putShort(Float.floatToFloat16(0.5f * (r + 1)));
            for (int j = 0; j < 32; j++) b8.put((byte) (j - 16));
            b4.putShort(Float.floatToFloat16(0.25f * (r + 1)));
            for (int j = 0; j < 16; j++) b4.put((byte) (j | (15 - j) << 4));
        }
        byte[] file = new GgufWriter().addTensor("blk.0.ffn_up.weight", GgmlType.Q8_0, new long[] {cols, rows}, out -> out.write(q8))
                .addTensor("blk.0.ffn_gate.weight", GgmlType.Q4_0, new long[] {cols, rows}, out -> out.write(q4)).toBytes();
        try (GgufWeights w = new GgufWeights(GgufFile.parse(Path.of("q.gguf"), ByteBuffer.wrap(file)), false, 16)) {
            short[] row = new short[cols];
            w.f16Rows("model.layers.0.mlp.up_proj.weight", new long[] {rows, cols}).row(1, row);
            for (int j = 0; j < 32; j++) assertThat(Float.float16ToFloat(row[j])).isEqualTo(1.0f * (j - 16));
            w.f16Rows("model.layers.0.mlp.gate_proj.weight", new long[] {rows, cols}).row(0, row);
            for (int j = 0; j < 16; j++) {
                assertThat(Float.float16ToFloat(row[j])).isEqualTo(0.25f * (j - 8));
                assertThat(Float.float16ToFloat(row[16 + j])).isEqualTo(0.25f * (15 - j - 8));
            }
            assertThat(w.blockRows("model.layers.0.mlp.up_proj.weight", new long[] {rows, cols}, GgmlType.Q8_0)).isPresent();
            assertThat(w.blockRows("model.layers.0.mlp.up_proj.weight", new long[] {rows, cols}, GgmlType.Q4_0)).isEmpty();
            assertThat(w.blockRows("model.layers.0.mlp.gate_proj.weight", new long[] {rows, cols}, GgmlType.Q4_0)).isPresent();
        }
    }

    /** A Q4_K tensor's rows reach the 4-bit kernels as stored: packed, every weight is GGML's dequantisation of the file's bytes. */
    @Test
    void q4kTensorsArePackedAsStored() {
        int rows = 3, cols = 512;
        java.util.SplittableRandom rng = new java.util.SplittableRandom(4);
        byte[] blocks = new byte[rows * cols / 256 * 144];
        ByteBuffer b = ByteBuffer.wrap(blocks).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < rows * cols / 256; k++) {
            b.putShort(Float.floatToFloat16((float) rng.nextGaussian() * 0.01f)).putShort(Float.floatToFloat16((float) rng.nextGaussian() * 0.01f));
            for (int j = 0; j < 140; j++) b.put((byte) rng.nextInt(256));
        }
        byte[] file = new GgufWriter().addTensor("blk.0.ffn_up.weight", GgmlType.Q4_K, new long[] {cols, rows}, out -> out.write(blocks)).toBytes();
        try (GgufWeights w = new GgufWeights(GgufFile.parse(Path.of("k.gguf"), ByteBuffer.wrap(file)), false, 16)) {
            long[] shape = {rows, cols};
            assertThat(w.blockRows("model.layers.0.mlp.up_proj.weight", shape, GgmlType.Q4_0)).isEmpty();
            dev.vane.engine.kernel.Q4KMatrix m = dev.vane.engine.kernel.Q4KMatrix.of(
                    w.blockRows("model.layers.0.mlp.up_proj.weight", shape, GgmlType.Q4_K).orElseThrow(), rows, cols, "up", null);
            float[] row = new float[cols], expected = new float[cols];
            for (int r = 0; r < rows; r++) {
                m.row(r, row, 0);
                dev.vane.engine.gguf.Dequant.dequantize(GgmlType.Q4_K, ByteBuffer.wrap(blocks).order(java.nio.ByteOrder.LITTLE_ENDIAN),
                        r * cols / 256 * 144, cols, expected, 0);
                assertThat(row).as("row %d", r).isEqualTo(expected);
            }
        }
    }

    /** Metadata that cannot describe a model fails naming the file and the key, never with an arithmetic error. */
    @Test
    void badGeometryAndForeignTokenizersAreNamed() {
        byte[] zeroHeads = new GgufWriter().putString("general.architecture", "llama").putUint32("llama.embedding_length", 64)
                .putUint32("llama.attention.head_count", 0).putUint32("llama.block_count", 1).putUint32("llama.feed_forward_length", 64)
                .addTensor("token_embd.weight", GgmlType.F32, new float[64 * 4], 64, 4).toBytes();
        GgufFile g = GgufFile.parse(Path.of("h.gguf"), ByteBuffer.wrap(zeroHeads));
        assertThatThrownBy(() -> dev.vane.engine.config.GgufConfig.read(g)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("h.gguf: 'llama.attention.head_count' must be > 0, got 0");

        byte[] spm = new GgufWriter().putString("tokenizer.ggml.model", "llama").putStringArray("tokenizer.ggml.tokens", java.util.List.of("a")).toBytes();
        assertThatThrownBy(() -> dev.vane.engine.tokenizer.Tokenizer.fromGguf(GgufFile.parse(Path.of("s.gguf"), ByteBuffer.wrap(spm))))
                .hasMessageContaining("s.gguf: tokenizer.ggml.model 'llama' is not read");
        byte[] pre = new GgufWriter().putString("tokenizer.ggml.model", "gpt2").putString("tokenizer.ggml.pre", "falcon")
                .putStringArray("tokenizer.ggml.tokens", java.util.List.of("a")).toBytes();
        assertThatThrownBy(() -> dev.vane.engine.tokenizer.Tokenizer.fromGguf(GgufFile.parse(Path.of("p.gguf"), ByteBuffer.wrap(pre))))
                .hasMessageContaining("p.gguf: tokenizer.ggml.pre 'falcon' is not read");
    }

    /** A Q6_K matrix read as f16 rows: ggml's dequantised values (the golden of DequantTest), rounded to f16. */
    @Test
    void kQuantMatricesReadAsGgmlDequantisesThem() throws Exception {
        com.fasterxml.jackson.databind.JsonNode golden;
        try (java.io.InputStream in = GgufWeightsTest.class.getResourceAsStream("/gguf/dequant-golden.json")) {
            golden = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in).get("Q6_K");
        }
        byte[] blocks = java.util.HexFormat.of().parseHex(golden.get("blocks").asText());
        int rows = 6, cols = 256;
        byte[] file = new GgufWriter().addTensor("output.weight", GgmlType.Q6_K, new long[] {cols, rows}, out -> out.write(blocks)).toBytes();
        try (GgufWeights w = new GgufWeights(GgufFile.parse(Path.of("k.gguf"), ByteBuffer.wrap(file)), false, 16)) {
            assertThat(w.storedInBlocks("lm_head.weight")).isTrue();
            short[] row = new short[cols];
            var f16 = w.f16Rows("lm_head.weight", new long[] {rows, cols});
            for (int r = 0; r < rows; r++) {
                f16.row(r, row);
                for (int i = 0; i < cols; i++)
                    assertThat(row[i]).isEqualTo(Float.floatToFloat16(Float.intBitsToFloat((int) golden.get("values").get(r * cols + i).asLong())));
            }
        }
    }
}
