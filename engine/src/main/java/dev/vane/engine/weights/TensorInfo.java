package dev.vane.engine.weights;

/** One entry of a safetensors header: where a tensor's bytes are and what they hold. */
public record TensorInfo(String name, FileDType dtype, long[] shape, long begin, long end) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public long byteLength() { return end - begin; }
}
