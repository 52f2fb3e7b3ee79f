package dev.vane.engine.weights;

import dev.vane.engine.gguf.Dequant;
import dev.vane.engine.gguf.GgmlType;
import dev.vane.engine.gguf.GgufFile;
import dev.vane.engine.gguf.GgufTensorInfo;
import dev.vane.engine.kernel.BlockRows;
import dev.vane.engine.kernel.F16Gemv;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tensors of a GGUF model file under their Hugging Face names and layouts: the one place
 * where GGUF tensor names ({@code blk.0.attn_q.weight}) become Hugging Face ones
 * ({@code model.layers.0.self_attn.q_proj.weight}). Dimensions are reversed (GGUF lists the row
 * length first), and for the {@code llama} architecture the rows of q and k (and their biases)
 * are put back in Hugging Face's rotate-half order: llama.cpp's converter interleaves each head's
 * two halves ({@code [x0, x_{d/2}, x1, x_{d/2+1}, …]}) for its RoPE, so HF row {@code h·d + s·d/2 + i}
 * is GGUF row {@code h·d + 2i + s}. Other architectures keep HF's order.
 *
 * <p>Tensor data is read by positional reads, a block of rows at a time per thread
 * ({@link RowBlocks}); types F32, F16, BF16, Q8_0, Q4_0, Q4_K and Q6_K are read (the last two
 * dequantised, {@link Dequant}), any other is refused naming it.
 */
public final class GgufWeights implements WeightSource {

    private static final Pattern LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)");
    /** Hugging Face names inside a layer → GGUF names after {@code blk.N.}. */
    private static final List<String[]> LAYER_NAMES = List.of(
            new String[] {"input_layernorm.weight", "attn_norm.weight"},
            new String[] {"self_attn.q_proj.weight", "attn_q.weight"},
            new String[] {"self_attn.k_proj.weight", "attn_k.weight"},
            new String[] {"self_attn.v_proj.weight", "attn_v.weight"},
            new String[] {"self_attn.o_proj.weight", "attn_output.weight"},
            new String[] {"self_attn.q_proj.bias", "attn_q.bias"},
            new String[] {"self_attn.k_proj.bias", "attn_k.bias"},
            new String[] {"self_attn.v_proj.bias", "attn_v.bias"},
            new String[] {"self_attn.q_norm.weight", "attn_q_norm.weight"},
            new String[] {"self_attn.k_norm.weight", "attn_k_norm.weight"},
            new String[] {"post_attention_layernorm.weight", "ffn_norm.weight"},
            new String[] {"mlp.gate_proj.weight", "ffn_gate.weight"},
            new String[] {"mlp.up_proj.weight", "ffn_up.weight"},
            new String[] {"mlp.down_proj.weight", "ffn_down.weight"});

    private final GgufFile file;
    private final boolean interleavedRope;
    private final int headDim;

    /**
     * @param interleavedRope whether q and k rows are in llama.cpp's interleaved RoPE order (the
     *                        {@code llama} architecture)
     * @param headDim         the head dimension those rows are grouped by
     */
    public GgufWeights(GgufFile file, boolean interleavedRope, int headDim) {
        this.file = file;
        this.interleavedRope = interleavedRope;
        this.headDim = headDim;
    }

    /** The GGUF name of a Hugging Face tensor name, or empty for a name GGUF has no counterpart of. */
    public static Optional<String> ggufName(String hf) {
        switch (hf) {
            case "model.embed_tokens.weight": return Optional.of("token_embd.weight");
            case "model.norm.weight": return Optional.of("output_norm.weight");
            case "lm_head.weight": return Optional.of("output.weight");
            default: break;
        }
        Matcher m = LAYER.matcher(hf);
        if (!m.matches()) return Optional.empty();
        for (String[] n : LAYER_NAMES)
            if (n[0].equals(m.group(2))) return Optional.of("blk." + m.group(1) + "." + n[1]);
        return Optional.empty();
    }

    @Override
    public Collection<Path> files() { return List.of(file.path()); }

    @Override
    public boolean has(String name) {
        return ggufName(name).map(file.tensors()::containsKey).orElse(false);
    }

    /** The tensor behind {@code hf}, checked against {@code shape} (Hugging Face order). */
    private GgufTensorInfo tensor(String hf, long[] shape) {
        String name = ggufName(hf).orElseThrow(() -> new CheckpointException(file.path() + ": no GGUF tensor for '" + hf + "'"));
        GgufTensorInfo t = file.tensors().get(name);
        if (t == null) throw new CheckpointException(file.path() + ": missing tensor '" + name + "'");
        long[] dims = t.dims().clone();
        for (int i = 0; i < dims.length / 2; i++) { // GGUF lists the innermost dimension first
            long d = dims[i];
            dims[i] = dims[dims.length - 1 - i];
            dims[dims.length - 1 - i] = d;
        }
        if (!Arrays.equals(dims, shape))
            throw new CheckpointException(file.path() + ": tensor '" + name + "' has shape " + Arrays.toString(dims)
                    + ", expected " + Arrays.toString(shape));
        if (t.type().isEmpty())
            throw new CheckpointException(file.path() + ": tensor '" + name + "' has type " + dev.vane.engine.gguf.GgmlType.describe(t.typeId())
                    + ", which Vane does not read (F32, F16, BF16, Q8_0, Q4_0, Q4_K and Q6_K are read)");
        return t;
    }

    /** Whether {@code hf} is a q or k projection (or bias) whose rows llama.cpp interleaved. */
    private boolean interleaved(String hf) {
        return interleavedRope && (hf.endsWith("q_proj.weight") || hf.endsWith("k_proj.weight")
                || hf.endsWith("q_proj.bias") || hf.endsWith("k_proj.bias"));
    }

    /** The GGUF row that holds Hugging Face row {@code r} of an interleaved q or k tensor. */
    int fileRow(int r) {
        int half = headDim / 2, h = r / headDim, within = r % headDim;
        return h * headDim + 2 * (within % half) + within / half;
    }

    @Override
    public float[] floats(String name, long[] shape) {
        GgufTensorInfo t = tensor(name, shape);
        float[] raw = file.floats(t.name());
        if (!interleaved(name)) return raw;
        float[] out = new float[raw.length];
        for (int r = 0; r < out.length; r++) out[r] = raw[fileRow(r)];
        return out;
    }

    private RowBlocks blocks(GgufTensorInfo t, int rows, int rowBytes) {
        return new RowBlocks((offset, dst) -> file.read(t, offset, dst), rows, rowBytes);
    }

    @Override
    public F16Gemv.Rows f16Rows(String name, long[] shape) {
        GgufTensorInfo t = tensor(name, shape);
        int rows = Math.toIntExact(shape[0]), cols = Math.toIntExact(shape[1]);
        GgmlType type = t.type().orElseThrow();
        RowBlocks blocks = blocks(t, rows, Math.toIntExact(type.byteSize(cols)));
        boolean permute = interleaved(name);
        return (r, dst) -> {
            int fr = permute ? fileRow(r) : r;
            ByteBuffer b = blocks.row(fr);
            int at = blocks.at(fr);
            switch (type) {
                case F16 -> b.asShortBuffer().get(at / 2, dst, 0, cols);
                case BF16 -> {
                    for (int i = 0; i < cols; i++) dst[i] = Float.floatToFloat16(Float.intBitsToFloat(b.getShort(at + 2 * i) << 16));
                }
                case F32 -> {
                    for (int i = 0; i < cols; i++) dst[i] = Float.floatToFloat16(b.getFloat(at + 4 * i));
                }
                default -> { // a block format: dequantised as ggml does, then rounded to f16
                    float[] f = new float[cols];
                    Dequant.dequantize(type, b, at, cols, f, 0);
                    for (int i = 0; i < cols; i++) dst[i] = Float.floatToFloat16(f[i]);
                }
            }
        };
    }

    @Override
    public Optional<BlockRows> blockRows(String name, long[] shape, GgmlType type) {
        if (type != GgmlType.Q8_0 && type != GgmlType.Q4_0 && type != GgmlType.Q4_K) throw new IllegalArgumentException("no block rows of " + type);
        GgufTensorInfo t = tensor(name, shape);
        if (t.type().orElseThrow() != type) return Optional.empty();
        int rows = Math.toIntExact(shape[0]), cols = Math.toIntExact(shape[1]);
        int halves = type == GgmlType.Q4_K ? 2 : 1; // f16 scales opening each block: d (Q4_K: d, dmin)
        int data = type.blockBytes() - 2 * halves;
        RowBlocks blocks = blocks(t, rows, Math.toIntExact(type.byteSize(cols)));
        boolean permute = interleaved(name);
        return Optional.of((r, scales, bytes) -> {
            int fr = permute ? fileRow(r) : r;
            ByteBuffer b = blocks.row(fr);
            int at = blocks.at(fr);
            for (int k = 0; k < cols / type.blockSize(); k++, at += type.blockBytes()) {
                for (int h = 0; h < halves; h++) scales[k * halves + h] = b.getShort(at + 2 * h);
                b.get(at + 2 * halves, bytes, k * data, data);
            }
        });
    }

    @Override
    public boolean storedInBlocks(String name) {
        return ggufName(name).map(file.tensors()::get).flatMap(GgufTensorInfo::type).map(t -> t.blockSize() > 1).orElse(false);
    }

    /** The element type of tensor {@code hf} in the file. */
    public GgmlType type(String hf, long[] shape) {
        return tensor(hf, shape).type().orElseThrow();
    }

    @Override
    public void close() {
        file.close();
    }
}
