package dev.vane.engine.cache;

import dev.vane.engine.config.ModelConfig;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Java decoder's cache: per slot and layer one keys and one values array, row-major
 * {@code [G, C, Dh]} f32 (KV head g at position p starts at {@code (g·C + p)·Dh}). A slot's
 * arrays are allocated the first time a sequence takes the slot ({@link #acquire}, or its first
 * write) and kept for the next sequence in that slot when it leaves ({@link #release}): the heap
 * grows with the most sequences run at once, never beyond the capacity checked at start, and a
 * request does not pay for allocating and zeroing a slot of {@code L·G·C·Dh} floats. A sequence
 * reads only positions it has written, so a reused slot needs no clearing.
 */
public final class JavaKvCache implements KvCache {

    private final int layers, slots, capacity, kvHeads, headDim;
    private final float[][][] keys;   // [slot][layer][G·C·Dh], null where the slot is free
    private final float[][][] values;
    private final boolean[] inUse;    // [slot]
    private final AtomicInteger used = new AtomicInteger(); // slots taken by running sequences

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
        this.keys = new float[slots][][];
        this.values = new float[slots][][];
        this.inUse = new boolean[slots];
    }

    /** A sequence takes slot {@code slot}: its arrays are allocated if it never held any. */
    @Override
    public synchronized void acquire(int slot) {
        if (!inUse[slot]) {
            inUse[slot] = true;
            used.incrementAndGet();
        }
        if (keys[slot] != null) return;
        int perSlot = kvHeads * capacity * headDim;
        float[][] k = new float[layers][perSlot], v = new float[layers][perSlot];
        values[slot] = v;
        keys[slot] = k;
    }

    /** Slot {@code slot}'s sequence has left; its arrays stay for the next one. */
    @Override
    public synchronized void release(int slot) {
        if (!inUse[slot]) return;
        inUse[slot] = false;
        used.decrementAndGet();
    }

    /** Slot {@code slot}'s keys of layer {@code layer}, {@code [G, C, Dh]}. */
    public float[] keys(int layer, int slot) {
        float[][] k = keys[slot];
        if (k == null) {
            acquire(slot);
            k = keys[slot];
        }
        return k[layer];
    }

    /** Slot {@code slot}'s values of layer {@code layer}, laid out as {@link #keys}. */
    public float[] values(int layer, int slot) {
        float[][] v = values[slot];
        if (v == null) {
            acquire(slot);
            v = values[slot];
        }
        return v[layer];
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
    @Override public long bytesInUse() { return used.get() * KvCache.bytes(layers, 1, kvHeads, capacity, headDim); }

    @Override
    public synchronized void close() {
        for (int s = 0; s < slots; s++) {
            release(s);
            keys[s] = null;
            values[s] = null;
        }
    }
}
