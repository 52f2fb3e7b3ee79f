package dev.vane.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.vane.engine.kernel.F16Matrix;
import dev.vane.engine.kernel.KernelPool;

import java.util.Optional;

/** A linear map {@code y = x·Wᵀ + b}, {@code [..., in] → [..., out]}, f32 in and out. */
sealed interface Projection {

    NDArray apply(NDArray x);

    /** Through PyTorch ({@code torch.nn.functional.linear}); differentiable. */
    record Djl(NDArray weight, Optional<NDArray> bias, ComputeDType dtype) implements Projection {
        @Override
        public NDArray apply(NDArray x) {
            if (dtype == ComputeDType.F32) return Linear.linear(x, weight, bias.orElse(null)).singletonOrThrow();
            NDArray y = Linear.linear(x.toType(DataType.FLOAT16, false), weight, null).singletonOrThrow()
                    .toType(DataType.FLOAT32, false);
            return bias.isPresent() ? y.add(bias.get()) : y;
        }
    }

    /** Through the Java f16 kernel (inference only). */
    record F16(F16Matrix weight, Optional<NDArray> bias, KernelPool pool) implements Projection {
        @Override
        public NDArray apply(NDArray x) {
            Shape s = x.getShape();
            int rows = Math.toIntExact(s.size() / weight.in());
            float[] y = weight.multiply(x.toFloatArray(), rows, pool);
            long[] dims = s.getShape();
            dims[dims.length - 1] = weight.out();
            NDArray out = x.getManager().create(y, new Shape(dims));
            return bias.isPresent() ? out.add(bias.get()) : out;
        }
    }
}
