package dev.vane.engine.cache;

import dev.vane.engine.config.ModelConfig;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Java decoder's cache: per slot and layer one keys and one values array, row-major
 * {@code [G, C, Dh]} (KV head g at position p starts at {@code (g·C + p)·Dh}), of f32 or f16
 * elements ({@link KvDType}). A slot's arrays are allocated the first time a sequence takes the
 * slot ({@link #acquire}, or its first write) and kept for the next sequence in that slot when it
 * leaves ({@link #release}): the heap grows with the most sequences run at once, never beyond the
 * capacity checked at start, and a request does not pay for allocating and zeroing a slot of
 * {@code L·G·C·Dh} elements. A sequence reads only positions it has written, so a reused slot
 * needs no clearing.
 *
 * <p>Attention reads f32: an f32 cache lends its arrays ({@link #keys}, {@link #values}); an f16
 * cache converts the positions a step reads ({@link #read}), exactly ({@code f16 → f32} is
 * lossless), so a row's result does not depend on what else is read in the same step.
 */
public final class JavaKvCache implements KvCache {

    /** The largest finite f16: an f16 cache saturates there rather than store an infinity. */
    private static final float F16_MAX = 65504f;

    private final int layers, slots, capacity, kvHeads, headDim;
    private final KvDType dtype;
    private final Slot[] held;        // [slot], null where the slot never held a sequence
    private final boolean[] inUse;    // [slot]
    private final AtomicInteger used = new AtomicInteger(); // slots taken by running sequences
    private final float[][][] preRope; // [slot][layer][G·S·Dh] beacon rows' keys before RoPE, allocated at a slot's first beacon
    private final int span;            // S: entries an open beacon window spans (W raw + W/2 beacons at most); 0 without beacons

    /** One slot's arrays: {@code [layer][G·C·Dh]} keys and values. */
    private sealed interface Slot permits F32Slot, F16Slot {}
    private record F32Slot(float[][] keys, float[][] values) implements Slot {}
    private record F16Slot(short[][] keys, short[][] values) implements Slot {}

    public JavaKvCache(ModelConfig c, int slots, int capacity, KvDType dtype) {
        if (slots <= 0) throw new IllegalArgumentException("slots must be > 0");
        if (capacity <= 0) throw new IllegalArgumentException("capacity must be > 0");
        if ((long) c.numKvHeads() * capacity * c.headDim() > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("KV cache of " + capacity + " positions too large for one array per slot");
        this.layers = c.numLayers();
        this.slots = slots;
        this.capacity = capacity;
        this.kvHeads = c.numKvHeads();
        this.headDim = c.headDim();
        this.dtype = dtype;
        this.held = new Slot[slots];
        this.inUse = new boolean[slots];
        this.preRope = new float[slots][][];
        this.span = c.beacon().map(b -> b.window() + b.window() / 2).orElse(0);
    }

    /** A sequence takes slot {@code slot}: its arrays are allocated if it never held any. */
    @Override
    public synchronized void acquire(int slot) {
        if (!inUse[slot]) {
            inUse[slot] = true;
            used.incrementAndGet();
        }
        if (held[slot] != null) return;
        int perSlot = kvHeads * capacity * headDim;
        held[slot] = switch (dtype) {
            case F32 -> new F32Slot(new float[layers][perSlot], new float[layers][perSlot]);
            case F16 -> new F16Slot(new short[layers][perSlot], new short[layers][perSlot]);
        };
    }

    /** Slot {@code slot}'s sequence has left; its arrays stay for the next one. */
    @Override
    public synchronized void release(int slot) {
        if (!inUse[slot]) return;
        inUse[slot] = false;
        used.decrementAndGet();
    }

    private Slot slot(int slot) {
        Slot s = held[slot];
        if (s == null) {
            acquire(slot);
            s = held[slot];
        }
        return s;
    }

    /** Slot {@code slot}'s f32 keys of layer {@code layer}, {@code [G, C, Dh]}; an f32 cache only. */
    public float[] keys(int layer, int slot) {
        return f32(slot).keys()[layer];
    }

    /** Slot {@code slot}'s f32 values of layer {@code layer}, laid out as {@link #keys}; an f32 cache only. */
    public float[] values(int layer, int slot) {
        return f32(slot).values()[layer];
    }

    private F32Slot f32(int slot) {
        if (slot(slot) instanceof F32Slot s) return s;
        throw new IllegalStateException("an " + dtype.label() + " cache lends no f32 arrays: read it");
    }

    /**
     * Copies KV head {@code g}'s keys and values at positions {@code [from, from + n)} of slot
     * {@code slot}, layer {@code layer}, as f32 to {@code keys[at ..]} and {@code values[at ..]}
     * ({@code n·Dh} each, position-major).
     */
    public void read(int layer, int slot, int g, int from, int n, float[] keys, float[] values, int at) {
        int src = (g * capacity + from) * headDim, len = n * headDim;
        switch (slot(slot)) {
            case F32Slot s -> {
                System.arraycopy(s.keys()[layer], src, keys, at, len);
                System.arraycopy(s.values()[layer], src, values, at, len);
            }
            case F16Slot s -> {
                widen(s.keys()[layer], src, keys, at, len);
                widen(s.values()[layer], src, values, at, len);
            }
        }
    }

    /**
     * {@code update}: writes the keys and values of one token at position {@code pos} of slot
     * {@code slot}; KV head g's key is read at {@code src[k0 + g·Dh ..]}, its value at
     * {@code src[v0 + g·Dh ..]}.
     */
    public void update(int layer, int slot, int pos, float[] src, int k0, int v0) {
        if (pos < 0 || pos >= capacity)
            throw new IllegalStateException("KV cache capacity " + capacity + " exceeded at position " + pos);
        Slot s = slot(slot);
        for (int g = 0; g < kvHeads; g++) {
            int dst = (g * capacity + pos) * headDim;
            switch (s) {
                case F32Slot f -> {
                    System.arraycopy(src, k0 + g * headDim, f.keys()[layer], dst, headDim);
                    System.arraycopy(src, v0 + g * headDim, f.values()[layer], dst, headDim);
                }
                case F16Slot h -> {
                    narrow(src, k0 + g * headDim, h.keys()[layer], dst, headDim);
                    narrow(src, v0 + g * headDim, h.values()[layer], dst, headDim);
                }
            }
        }
    }

    /**
     * Keeps the keys of a beacon row as the projection gave them (before any k-norm and RoPE),
     * {@code G·Dh} floats at {@code src[k0 ..]}, for {@link #moveEntry}: a beacon's key is rotated
     * again when its window closes and it moves to a new position. Kept by position modulo the
     * span of one open window (a model with beacon parameters only), so only the open window's
     * beacons are held: {@code L·G·S·Dh} floats per slot that ever ran a beacon row.
     */
    public void keepPreRopeKeys(int layer, int slot, int pos, float[] src, int k0) {
        if (span == 0) throw new IllegalStateException("this model has no beacon parameters");
        float[][] kept;
        synchronized (this) {
            if (preRope[slot] == null) preRope[slot] = new float[layers][kvHeads * span * headDim];
            kept = preRope[slot];
        }
        for (int g = 0; g < kvHeads; g++)
            System.arraycopy(src, k0 + g * headDim, kept[layer], (g * span + pos % span) * headDim, headDim);
    }

    /** The keys {@link #keepPreRopeKeys} kept for the beacon at {@code pos}, {@code G·Dh} floats into {@code dst[at ..]}. */
    public void preRopeKeys(int layer, int slot, int pos, float[] dst, int at) {
        float[][] kept;
        synchronized (this) {
            kept = preRope[slot];
        }
        if (kept == null) throw new IllegalStateException("slot " + slot + " kept no beacon keys");
        for (int g = 0; g < kvHeads; g++)
            System.arraycopy(kept[layer], (g * span + pos % span) * headDim, dst, at + g * headDim, headDim);
    }

    /**
     * Moves the entry at {@code from} to {@code to ≤ from}: its value as stored, its key as given
     * ({@code keys[k0 ..]}, {@code G·Dh} floats, rotated for the new position by the caller).
     */
    public void moveEntry(int layer, int slot, int from, int to, float[] keys, int k0) {
        if (to > from || to < 0) throw new IllegalArgumentException("an entry moves down, got " + from + " -> " + to);
        Slot s = slot(slot);
        for (int g = 0; g < kvHeads; g++) {
            int src = (g * capacity + from) * headDim, dst = (g * capacity + to) * headDim;
            switch (s) {
                case F32Slot f -> {
                    System.arraycopy(f.values()[layer], src, f.values()[layer], dst, headDim);
                    System.arraycopy(keys, k0 + g * headDim, f.keys()[layer], dst, headDim);
                }
                case F16Slot h -> {
                    System.arraycopy(h.values()[layer], src, h.values()[layer], dst, headDim);
                    narrow(keys, k0 + g * headDim, h.keys()[layer], dst, headDim);
                }
            }
        }
    }

    /** f16 bits to f32, exactly (a loop the JIT turns into vector conversions). */
    private static void widen(short[] src, int from, float[] dst, int at, int n) {
        for (int i = 0; i < n; i++) dst[at + i] = Float.float16ToFloat(src[from + i]);
    }

    /** f32 to f16 bits, rounded to nearest even, saturated at ±{@value #F16_MAX} (NaN stays NaN). */
    private static void narrow(float[] src, int from, short[] dst, int at, int n) {
        for (int i = 0; i < n; i++) dst[at + i] = Float.floatToFloat16(Math.max(-F16_MAX, Math.min(F16_MAX, src[from + i])));
    }

    @Override public KvDType dtype() { return dtype; }
    @Override public int slots() { return slots; }
    @Override public int capacity() { return capacity; }
    @Override public long bytes() { return KvCache.bytes(layers, slots, kvHeads, capacity, headDim, dtype); }
    @Override public long bytesInUse() { return used.get() * KvCache.bytes(layers, 1, kvHeads, capacity, headDim, dtype); }

    @Override
    public synchronized void close() {
        for (int s = 0; s < slots; s++) {
            release(s);
            held[s] = null;
            preRope[s] = null;
        }
    }
}
