package dev.vane.engine.cache;

/**
 * A decoder's key/value cache: {@code S} slots (one per running sequence) of {@code C} positions
 * for every layer and KV head. A sequence owns a slot from {@link #acquire} to {@link #release};
 * a step writes each row's new entries at their absolute positions and attends over its slot.
 * Each decoder steps over the cache type it makes ({@code CausalLM.newCache}, which checks the
 * capacity against the memory it would take: {@link KvBudget}); a cache never moves between
 * decoders.
 */
public sealed interface KvCache extends AutoCloseable permits JavaKvCache, TensorKvCache {

    int slots();

    /** Positions per slot. */
    int capacity();

    /** Bytes of keys and values for every slot and position: the cache's capacity. */
    long bytes();

    /** Bytes of keys and values held for the slots in use (the sequences running now). */
    long bytesInUse();

    /** A sequence takes slot {@code slot}: its entries are needed from now on. */
    void acquire(int slot);

    /** The sequence in slot {@code slot} has left: its entries are no longer needed. */
    void release(int slot);

    @Override
    void close();

    /** The element type of the keys and values. */
    KvDType dtype();

    /** K and V of type {@code dtype} for every layer, slot and position. */
    static long bytes(int layers, int slots, int kvHeads, int capacity, int headDim, KvDType dtype) {
        return 2L * layers * slots * kvHeads * capacity * headDim * dtype.bytes();
    }
}
