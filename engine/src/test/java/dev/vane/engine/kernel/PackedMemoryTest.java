package dev.vane.engine.kernel;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.assertj.core.api.Assertions.assertThat;

/** Memory for packed weights: zeroed, 64-byte aligned, writable, of the size asked for. */
class PackedMemoryTest {

    @Test
    void blocksAreZeroedAlignedAndWritable() {
        for (long bytes : new long[] {0, 1, 63, 4097, 3L << 20}) {
            MemorySegment m = PackedMemory.allocate(bytes);
            assertThat(m.byteSize()).isEqualTo(bytes);
            assertThat(m.address() % 64).isZero();
            for (long i = 0; i < bytes; i += 511) assertThat(m.get(ValueLayout.JAVA_BYTE, i)).isZero();
            if (bytes > 0) {
                m.set(ValueLayout.JAVA_BYTE, bytes - 1, (byte) 7);
                assertThat(m.get(ValueLayout.JAVA_BYTE, bytes - 1)).isEqualTo((byte) 7);
            }
        }
    }
}
