package dev.vane.engine.cache;

/**
 * A KV cache that would not fit its memory ({@link KvBudget}). The message gives the numbers in
 * the engine's terms (slots, positions); a server names its own settings around it.
 */
public final class KvCacheTooLargeException extends IllegalArgumentException {

    private final KvBudget budget;
    private final int slots, capacity;
    private final long needed;

    KvCacheTooLargeException(KvBudget budget, int slots, int capacity, long needed) {
        super("a KV cache of " + slots + " slots × " + capacity + " positions needs " + KvBudget.size(needed) + " of "
                + budget.memory().words + ", but " + KvBudget.size(budget.available()) + " is available for it ("
                + KvBudget.size(budget.total()) + (budget.memory() == KvBudget.Memory.HEAP ? " maximum heap" : " beside the heap")
                + " less " + KvBudget.size(budget.weights()) + " of weights and a reserve of " + KvBudget.size(budget.reserve()) + ")");
        this.budget = budget;
        this.slots = slots;
        this.capacity = capacity;
        this.needed = needed;
    }

    public KvBudget budget() { return budget; }
    public int slots() { return slots; }
    public int capacity() { return capacity; }
    public long needed() { return needed; }
}
