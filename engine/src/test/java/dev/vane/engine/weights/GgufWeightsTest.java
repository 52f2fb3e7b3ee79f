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
        ByteBuffer b = GgufBytes.header(1, 0); // one Q4_K (type 12) tensor of 256 × 2
        GgufBytes.string(b, "blk.0.ffn_up.weight");
        b.putInt(2).putLong(256).putLong(2).putInt(12).putLong(0);
        GgufBytes.padTo(b, 32);
        b.put(new byte[2 * 144]);
        GgufFile g = GgufFile.parse(Path.of("k.gguf"), GgufBytes.done(b));
        try (GgufWeights w = new GgufWeights(g, false, 16)) {
            assertThatThrownBy(() -> w.f16Rows("model.layers.0.mlp.up_proj.weight", new long[] {2, 256}))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("k.gguf: tensor 'blk.0.ffn_up.weight' has type Q4_K (12), which Vane does not read");
        }
    }
}
