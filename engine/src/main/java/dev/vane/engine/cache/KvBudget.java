package dev.vane.engine.cache;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The memory a KV cache may take, checked when a decoder makes one ({@code CausalLM.newCache}):
 * a cache that does not fit is refused at start-up with the numbers, where it would otherwise be
 * allocated as sequences arrive and the first busy minute would end the process (an
 * {@link OutOfMemoryError}, or the kernel's OOM killer for native memory).
 *
 * <p>What is available: the memory the cache lives in ({@link Memory}), less what the model's
 * weights hold there, less a reserve of one eighth (at least 64 MiB) for each step's activations,
 * the logits and the rest of the server.
 *
 * @param memory    where the cache's arrays live
 * @param total     that memory's size: the maximum heap, or the physical memory of the machine or
 *                  container less the maximum heap
 * @param weights   bytes the model's weights hold in it
 * @param reserve   bytes held back for everything else
 */
public record KvBudget(Memory memory, long total, long weights, long reserve) {

    /** Where a cache's arrays live. */
    public enum Memory {
        /** f32 arrays on the Java heap (the Java decoder's {@link JavaKvCache}); bounded by {@code -Xmx}. */
        HEAP("Java heap"),
        /** Native tensors (the tensor decoder's {@link TensorKvCache}); bounded by physical memory. */
        NATIVE("native memory");

        final String words;

        Memory(String words) { this.words = words; }
    }

    private static final long MIN_RESERVE = 64L << 20;

    /** The heap: {@code Runtime.maxMemory()}, less {@code weights} already on it. */
    public static KvBudget heap(long weights) {
        long max = Runtime.getRuntime().maxMemory();
        return new KvBudget(Memory.HEAP, max, weights, reserve(max));
    }

    /** Native memory: the machine's (or container's) physical memory less the maximum heap, less {@code weights}. */
    public static KvBudget offHeap(long weights) {
        long physical = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        long total = Math.max(0, physical - Runtime.getRuntime().maxMemory());
        return new KvBudget(Memory.NATIVE, total, weights, reserve(total));
    }

    private static long reserve(long total) {
        return Math.max(MIN_RESERVE, total / 8);
    }

    /** Bytes a cache may take. */
    public long available() {
        return Math.max(0, total - weights - reserve);
    }

    /**
     * @param bytes the cache's size ({@link KvCache#bytes(int, int, int, int, int)})
     * @throws KvCacheTooLargeException when {@code bytes} exceeds {@link #available()}
     */
    public void check(int slots, int capacity, long bytes) {
        if (bytes > available()) throw new KvCacheTooLargeException(this, slots, capacity, bytes);
    }

    /** {@code n} bytes in GiB (or MiB below one GiB), one decimal. */
    static String size(long n) {
        return n >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GiB", n / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
    }
}
