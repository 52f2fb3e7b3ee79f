package dev.vane.engine.cache;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.vane.engine.config.ModelConfig;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tensor decoder's cache: per layer one K and one V array of shape {@code [S, G, C, Dh]}
 * (S slots, G KV heads, C positions of capacity, Dh head dim), f32, allocated on first use.
 * Entries are written at absolute positions by {@link #update} and read back as
 * {@code [B, G, K, Dh]} by {@link #readKeys} and {@link #readValues}.
 */
public final class TensorKvCache implements KvCache {

    private final NDManager manager;
    private final ModelConfig config;
    private volatile NDArray[] keys;
    private volatile NDArray[] values;
    private final int slots;
    private final int capacity;
    private final long bytes;
    private final boolean[] inUse;
    private final AtomicInteger held = new AtomicInteger();

    public TensorKvCache(ModelConfig c, int slots, int capacity, NDManager parent) {
        if (slots <= 0) throw new IllegalArgumentException("slots must be > 0");
        if (capacity <= 0) throw new IllegalArgumentException("capacity must be > 0");
        this.manager = parent.newSubManager();
        this.slots = slots;
        this.capacity = capacity;
        this.config = c;
        Shape shape = new Shape(slots, c.numKvHeads(), capacity, c.headDim());
        if (shape.size() / slots > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("KV cache of " + shape + " too large for one slot per array");
        this.bytes = KvCache.bytes(c.numLayers(), slots, c.numKvHeads(), capacity, c.headDim(), KvDType.F32);
        this.inUse = new boolean[slots];
    }

    private synchronized void ensureTensors() {
        if (keys != null) return;
        int layers = config.numLayers();
        NDArray[] k = new NDArray[layers];
        NDArray[] v = new NDArray[layers];
        Shape shape = new Shape(slots, config.numKvHeads(), capacity, config.headDim());
        for (int l = 0; l < layers; l++) {
            k[l] = manager.zeros(shape, DataType.FLOAT32);
            v[l] = manager.zeros(shape, DataType.FLOAT32);
            NDScope.unregister(k[l], v[l]); // first use may happen inside a step's scope; the cache outlives it
        }
        values = v;
        keys = k;
    }

    @Override public int slots() { return slots; }
    @Override public int capacity() { return capacity; }
    @Override public long bytes() { return bytes; }
    /** Always f32: the tensor decoder is the f32 reference. */
    @Override public KvDType dtype() { return KvDType.F32; }

    /** The slots' share of the tensors, which are allocated whole at first use (slices of one array per layer). */
    @Override public long bytesInUse() { return held.get() * (bytes / slots); }

    @Override
    public synchronized void acquire(int slot) {
        if (!inUse[slot]) held.incrementAndGet();
        inUse[slot] = true;
    }

    @Override
    public synchronized void release(int slot) {
        if (inUse[slot]) held.decrementAndGet();
        inUse[slot] = false;
    }

    /**
     * Writes row {@code b}'s new entries at positions {@code start[b] .. start[b]+T-1} of slot
     * {@code slot[b]}.
     *
     * @param k {@code [B, G, T, Dh]}
     * @param v {@code [B, G, T, Dh]}
     */
    public void update(int layer, int[] slot, int[] start, NDArray k, NDArray v) {
        ensureTensors();
        long t = k.getShape().get(2);
        for (int b = 0; b < slot.length; b++) {
            if (start[b] + t > capacity)
                throw new IllegalStateException("KV cache capacity " + capacity + " exceeded at position " + (start[b] + t));
            NDIndex at = new NDIndex("{}, :, {}:{}, :", slot[b], start[b], start[b] + t);
            keys[layer].set(at, slot.length == 1 ? k.squeeze(0) : k.get(b));
            values[layer].set(at, slot.length == 1 ? v.squeeze(0) : v.get(b));
        }
    }

    /**
     * Which slots a step reads: a contiguous range is sliced (a view); any other set is gathered
     * through one index array, built once per step and shared by every layer.
     */
    public Selection select(int[] slot) {
        for (int i = 1; i < slot.length; i++)
            if (slot[i] != slot[0] + i) {
                long[] idx = new long[slot.length];
                for (int j = 0; j < slot.length; j++) idx[j] = slot[j];
                return new Selection(slot[0], slot.length, manager.create(idx));
            }
        return new Selection(slot[0], slot.length, null);
    }

    /** Slots chosen by {@link #select}; {@code index} is null for a contiguous range. */
    public record Selection(int first, int count, NDArray index) {}

    /** Keys of the selected slots for positions {@code 0 .. length-1}: {@code [B, G, length, Dh]}. */
    public NDArray readKeys(int layer, Selection slots, int length) {
        ensureTensors();
        return read(keys[layer], slots, length);
    }

    /** Values of the selected slots for positions {@code 0 .. length-1}: {@code [B, G, length, Dh]}. */
    public NDArray readValues(int layer, Selection slots, int length) {
        ensureTensors();
        return read(values[layer], slots, length);
    }

    private static NDArray read(NDArray cache, Selection s, int length) {
        if (s.index() == null) return cache.get(new NDIndex("{}:{}, :, :{}, :", s.first(), s.first() + s.count(), length));
        return cache.get(new NDIndex("{}, :, :{}, :", s.index(), length));
    }

    @Override
    public void close() {
        manager.close();
    }
}
