package dev.vane.engine.gguf;

import java.util.Arrays;
import java.util.Optional;

/**
 * One tensor entry of a GGUF file.
 *
 * @param dims   dimensions in ggml order, innermost first ({@code ne[0]} = row length)
 * @param typeId ggml type id; {@link #type()} is empty for types Vane cannot read
 * @param offset byte offset of the data from the start of the data section
 */
public record GgufTensorInfo(String name, long[] dims, int typeId, long offset) {

    public Optional<GgmlType> type() { return GgmlType.byId(typeId); }

    public long elementCount() {
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && name.equals(t.name) && Arrays.equals(dims, t.dims)
                && typeId == t.typeId && offset == t.offset;
    }

    @Override
    public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(dims); }

    @Override
    public String toString() {
        return name + Arrays.toString(dims) + " " + GgmlType.describe(typeId) + " @" + offset;
    }
}
