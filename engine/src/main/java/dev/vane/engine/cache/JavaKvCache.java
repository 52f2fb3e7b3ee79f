package dev.vane.engine.cache;

import dev.vane.engine.config.ModelConfig;

/**
 * The Java decoder's cache: per layer and slot one keys and one values array, row-major
 * {@code [G, C, Dh]} f32 (KV head g at position p starts at {@code (g·C + p)·Dh}), allocated on
 * first use.
 */
public final class JavaKvCache implements KvCache {

    private final int layers, slots, capacity, kvHeads, headDim;
    private volatile float[][][] keys;   // [layer][slot][G·C·Dh]
    private volatile float[][][] values;

    public JavaKvCache(ModelConfig c, int slots, int capacity) {
        if (slots <= 0) throw new IllegalArgumentException("slots must be > 0");
        if (capacity <= 0) throw new IllegalArgumentException("capacity must be > 0");
        if ((long) c.numKvHeads() * capacity * c.headDim() > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("KV cache of " + capacity + " positions too large for one array per slot");
        this.layers = c.numLayers();
        this.slots = slots;
        this.capacity = capacity;
        this.kvHeads = c.numKvHeads();
        this.headDim = c.headDim();
    }

    private synchronized void allocate() {
        if (keys != null) return;
        int perSlot = kvHeads * capacity * headDim;
        values = new float[layers][slots][perSlot];
        keys = new float[layers][slots][perSlot];
    }

    /** Slot {@code slot}'s keys of layer {@code layer}, {@code [G, C, Dh]}. */
    public float[] keys(int layer, int slot) {
        if (keys == null) allocate();
        return keys[layer][slot];
    }

    /** Slot {@code slot}'s values of layer {@code layer}, laid out as {@link #keys}. */
    public float[] values(int layer, int slot) {
        if (keys == null) allocate();
        return values[layer][slot];
    }

    /**
     * {@code update}: writes the keys and values of one token at position {@code pos} of slot
     * {@code slot}; KV head g's key is read at {@code src[k0 + g·Dh ..]}, its value at
     * {@code src[v0 + g·Dh ..]}.
     */
    public void update(int layer, int slot, int pos, float[] src, int k0, int v0) {
        if (pos < 0 || pos >= capacity)
            throw new IllegalStateException("KV cache capacity " + capacity + " exceeded at position " + pos);
        float[] k = keys(layer, slot), v = values(layer, slot);
        for (int g = 0; g < kvHeads; g++) {
            int dst = (g * capacity + pos) * headDim;
            System.arraycopy(src, k0 + g * headDim, k, dst, headDim);
            System.arraycopy(src, v0 + g * headDim, v, dst, headDim);
        }
    }

    @Override public int slots() { return slots; }
    @Override public int capacity() { return capacity; }
    @Override public long bytes() { return KvCache.bytes(layers, slots, kvHeads, capacity, headDim); }

    @Override
    public void close() {
        keys = null;
        values = null;
    }
}
