package dev.vane.engine.cache;

/**
 * A decoder's key/value cache: {@code S} slots (one per running sequence) of {@code C} positions
 * for every layer and KV head. A sequence owns a slot; a step writes each row's new entries at
 * their absolute positions and attends over its slot. Each decoder steps over the cache type it
 * makes ({@code CausalLM.newCache}); a cache never moves between decoders.
 */
public sealed interface KvCache extends AutoCloseable permits JavaKvCache, TensorKvCache {

    int slots();

    /** Positions per slot. */
    int capacity();

    /** Bytes of keys and values for every slot and position. */
    long bytes();

    @Override
    void close();

    /** f32 K and V for every layer, slot and position. */
    static long bytes(int layers, int slots, int kvHeads, int capacity, int headDim) {
        return 2L * layers * slots * kvHeads * capacity * headDim * Float.BYTES;
    }
}
