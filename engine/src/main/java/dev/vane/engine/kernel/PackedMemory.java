package dev.vane.engine.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.Optional;

/**
 * Memory for packed weights, outside the Java heap: anonymous pages mapped by the operating system
 * ({@code mmap}), zero until first written and unmapped once no segment of them is reachable.
 *
 * <p>Why not {@code Arena.allocate}: it zeroes the whole block on the calling thread, so every page
 * of a matrix is faulted in by one thread before the pool's threads pack into it. Fresh pages
 * fault in slowly on some virtual machines (0.3 GB/s on the 2-vCPU Zen 5 machine of
 * {@code docs/results}); mapped pages are faulted in by the threads that write them, in parallel.
 * Where {@code mmap} is not found (not Linux or macOS) the arena's allocation is used.
 */
final class PackedMemory {

    private PackedMemory() {}

    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final long MAP_FAILED = -1;

    private record Calls(MethodHandle mmap, MethodHandle munmap, int flags) {}

    private static final Optional<Calls> CALLS = calls();

    private static Optional<Calls> calls() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        int anonymous = os.contains("linux") ? 0x20 : os.contains("mac") ? 0x1000 : 0;
        if (anonymous == 0) return Optional.empty();
        Linker linker = Linker.nativeLinker();
        Optional<MemorySegment> mmap = linker.defaultLookup().find("mmap"), munmap = linker.defaultLookup().find("munmap");
        if (mmap.isEmpty() || munmap.isEmpty()) return Optional.empty();
        return Optional.of(new Calls(
                linker.downcallHandle(mmap.get(), FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG)),
                linker.downcallHandle(munmap.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG)),
                0x02 | anonymous)); // MAP_PRIVATE | MAP_ANONYMOUS
    }

    /** {@code bytes} of zeroed memory, page-aligned (so 64-byte aligned). */
    static MemorySegment allocate(long bytes) {
        if (CALLS.isEmpty() || bytes == 0) return Arena.ofAuto().allocate(Math.max(bytes, 1), 64).asSlice(0, bytes);
        Calls c = CALLS.get();
        MemorySegment at;
        try {
            at = (MemorySegment) c.mmap().invokeExact(MemorySegment.NULL, bytes, PROT_READ_WRITE, c.flags(), -1, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("mmap of " + bytes + " bytes failed", e);
        }
        if (at.address() == MAP_FAILED) throw new OutOfMemoryError("cannot map " + bytes + " bytes for packed weights");
        return at.reinterpret(bytes, Arena.ofAuto(), s -> unmap(c, s.address(), bytes));
    }

    private static void unmap(Calls c, long address, long bytes) {
        try {
            int ignored = (int) c.munmap().invokeExact(MemorySegment.ofAddress(address), bytes);
        } catch (Throwable e) {
            throw new IllegalStateException("munmap failed", e);
        }
    }
}
