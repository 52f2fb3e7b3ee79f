package dev.vane.engine.model;

import dev.vane.engine.config.ModelConfig;
import dev.vane.engine.kernel.F16Gemv;
import dev.vane.engine.kernel.F16Matrix;
import dev.vane.engine.kernel.Q8Gemv;

import java.util.Locale;
import java.util.Optional;

/**
 * How a model's steps run, decided once when it loads ({@link #choose}) and printed in the
 * server's start-up line.
 *
 * <ul>
 *   <li>{@link Kind#JAVA}: the {@link JavaDecoder}, the serving path: f16, q8_0, q4_0 or q4_k weights in Java
 *       Vector API kernels on {@code threads} threads, the whole step in Java.</li>
 *   <li>{@link Kind#TENSOR}: the {@link TensorDecoder}: PyTorch through DJL on {@code threads}
 *       threads, for f32 weights (the reference), for training, and for f16 models whose shapes the
 *       Java kernels cannot run.</li>
 * </ul>
 *
 * @param reason why this backend, in words (for the start-up line and error messages)
 */
public record Backend(Kind kind, int threads, String reason) {

    public enum Kind { JAVA, TENSOR }

    /** What the user asks for ({@code --backend}). */
    public enum Request {
        /** The Java kernels wherever they can run the model, else the tensor path. */
        AUTO,
        JAVA,
        TENSOR;

        public static Request parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "java" -> JAVA;
                case "tensor", "torch", "pytorch" -> TENSOR;
                default -> throw new IllegalArgumentException("backend must be auto, java or tensor, got '" + s + "'");
            };
        }
    }

    public Backend {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }

    /**
     * The backend for a model of geometry {@code c} whose projections compute in {@code dtype}.
     * No silent fallback: {@code AUTO} says in {@link #reason} why it took the tensor path, and an
     * explicit {@code JAVA} request the Java kernels cannot serve fails with the reason.
     */
    public static Backend choose(ModelConfig c, ComputeDType dtype, Request request, int threads) {
        return switch (request) {
            case TENSOR -> {
                if (dtype.quantized())
                    throw new IllegalArgumentException("the tensor backend runs f32 or f16 weights; " + dtype.label() + " runs on the java backend");
                yield new Backend(Kind.TENSOR, threads, "requested");
            }
            case JAVA -> {
                if (dtype == ComputeDType.F32)
                    throw new IllegalArgumentException("the java backend runs f16, q8_0, q4_0 or q4_k weights; load the model with dtype f16 or use the tensor backend");
                javaUnfit(c, dtype).ifPresent(why -> {
                    throw new IllegalArgumentException("the java backend cannot run this model: " + why);
                });
                yield new Backend(Kind.JAVA, threads, "requested");
            }
            case AUTO -> {
                if (dtype == ComputeDType.F32) yield new Backend(Kind.TENSOR, threads, "f32 weights (the Java kernels run f16, q8_0, q4_0 and q4_k)");
                Optional<String> why = javaUnfit(c, dtype);
                if (dtype.quantized()) {
                    why.ifPresent(w -> {
                        throw new IllegalArgumentException(dtype.label() + " weights run on the java kernels only, which cannot run this model: " + w);
                    });
                    yield new Backend(Kind.JAVA, threads, dtype.label() + " weights");
                }
                yield why.map(w -> new Backend(Kind.TENSOR, threads, "the Java kernels cannot run this model: " + w))
                        .orElseGet(() -> new Backend(Kind.JAVA, threads, "f16 weights"));
            }
        };
    }

    /** Why the Java kernels cannot run a model of this geometry in f16 on this CPU, or empty when they can. */
    public static Optional<String> javaUnfit(ModelConfig c) {
        return javaUnfit(c, ComputeDType.F16);
    }

    /** Why the Java kernels cannot run a model of this geometry with {@code dtype} weights on this CPU, or empty when they can. */
    public static Optional<String> javaUnfit(ModelConfig c, ComputeDType dtype) {
        if (!F16Gemv.supported()) return Optional.of("this CPU has no 8-lane float vectors (AVX2 or wider)");
        if (c.headDim() % 8 != 0) return Optional.of("head dim " + c.headDim() + " is not a multiple of 8");
        long[] widths = {c.hiddenSize(), c.intermediateSize(), (long) c.numHeads() * c.headDim()};
        String[] names = {"hidden size", "intermediate size", "heads × head dim"};
        int block = dtype.quantized() ? Q8Gemv.QK : F16Matrix.BLOCK_IN;
        for (int i = 0; i < widths.length; i++)
            if (widths[i] % block != 0)
                return Optional.of(names[i] + " " + widths[i] + " is not a multiple of " + block
                        + (dtype.quantized() ? " (" + dtype.label() + " blocks)" : ""));
        return Optional.empty();
    }

    /** PyTorch's intra-op threads: the tensor path's threads, or one when PyTorch runs nothing per step. */
    public int torchThreads() {
        return kind == Kind.TENSOR ? threads : 1;
    }

    @Override
    public String toString() {
        return (kind == Kind.JAVA ? "java kernels" : "tensor (PyTorch)") + " on " + threads
                + (threads == 1 ? " thread" : " threads") + " (" + reason + ")";
    }
}
