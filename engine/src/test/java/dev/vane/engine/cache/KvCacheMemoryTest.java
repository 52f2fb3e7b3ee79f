package dev.vane.engine.cache;

import dev.vane.engine.fixture.Preset;
import dev.vane.engine.generate.Generator;
import dev.vane.engine.generate.SamplingParams;
import dev.vane.engine.generate.Sequence;
import dev.vane.engine.generate.TokenEvent;
import dev.vane.engine.generate.TokenListener;
import dev.vane.engine.model.CausalLM;
import dev.vane.engine.model.ComputeDType;
import dev.vane.engine.model.Fixtures;
import dev.vane.engine.model.LoadOptions;
import dev.vane.engine.model.ModelLoader;
import dev.vane.engine.tokenizer.Tokenizer;
import dev.vane.engine.weights.FileDType;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The KV cache's memory: refused at creation when it cannot fit, held only for running sequences. */
class KvCacheMemoryTest {

    private static final Path DIR = Fixtures.withLlama3Tokenizer(Preset.TINY_LLAMA3_VOCAB, FileDType.F16, 3);

    @Test
    void aCacheBeyondTheHeapIsRefusedWithTheNumbers() {
        try (CausalLM java = ModelLoader.load(DIR, LoadOptions.java(256, 1))) {
            // 2 layers × 2 KV heads × 16 × 2 (K, V) × 4 bytes = 512 bytes per slot and position in f32: 122 GiB
            assertThatThrownBy(() -> java.newCache(1_000_000, 256, KvDType.F32)).isInstanceOf(KvCacheTooLargeException.class)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("a KV cache of 1000000 slots × 256 positions needs 122.1 GiB of Java heap, but ")
                    .hasMessageContaining("maximum heap less").hasMessageContaining("of weights and a reserve of")
                    .satisfies(e -> {
                        KvCacheTooLargeException k = (KvCacheTooLargeException) e;
                        assertThat(k.needed()).isEqualTo(1_000_000L * 256 * 512);
                        assertThat(k.budget().memory()).isEqualTo(KvBudget.Memory.HEAP);
                        assertThat(k.budget().total()).isEqualTo(Runtime.getRuntime().maxMemory());
                        assertThat(k.budget().weights()).isPositive();
                    });
            assertThat(java.newCache(8, 256, KvDType.F32).bytes()).isEqualTo(8L * 256 * 512);
            // the Java decoder's own type, f16: half of that
            assertThat(java.kvDType()).isEqualTo(KvDType.F16);
            assertThat(java.newCache(8, 256).bytes()).isEqualTo(8L * 256 * 256);
            assertThatThrownBy(() -> java.newCache(1_000_000, 256)).isInstanceOf(KvCacheTooLargeException.class)
                    .hasMessageStartingWith("a KV cache of 1000000 slots × 256 positions needs 61.0 GiB of Java heap, but ");
        }
    }

    @Test
    void aTensorCacheBeyondPhysicalMemoryIsRefused() {
        try (CausalLM tensor = ModelLoader.loadTensor(DIR, ComputeDType.F32, 256)) {
            assertThatThrownBy(() -> tensor.newCache(1_000_000, 256)).isInstanceOf(KvCacheTooLargeException.class)
                    .hasMessageContaining("of native memory").hasMessageContaining("beside the heap")
                    .satisfies(e -> assertThat(((KvCacheTooLargeException) e).budget().memory()).isEqualTo(KvBudget.Memory.NATIVE));
        }
    }

    @Test
    void theBudgetIsTheMemoryLessWeightsAndAReserve() {
        KvBudget b = new KvBudget(KvBudget.Memory.HEAP, 8L << 30, 1L << 30, 1L << 30);
        assertThat(b.available()).isEqualTo(6L << 30);
        b.check(1, 1, 6L << 30);
        assertThatThrownBy(() -> b.check(1, 1, (6L << 30) + 1)).isInstanceOf(KvCacheTooLargeException.class);
        assertThat(new KvBudget(KvBudget.Memory.NATIVE, 1L << 30, 2L << 30, 64L << 20).available()).isZero();
        assertThat(KvBudget.heap(0).reserve()).isEqualTo(Math.max(64L << 20, Runtime.getRuntime().maxMemory() / 8));
    }

    @Test
    void theJavaCacheHoldsArraysOnlyForRunningSequences() {
        try (CausalLM java = ModelLoader.load(DIR, LoadOptions.java(256, 1)); Tokenizer tokenizer = Tokenizer.load(DIR);
             Generator g = new Generator(java, tokenizer, 4, 256)) {
            long perSlot = g.kvCacheBytes() / 4;
            assertThat(g.kvCacheBytesInUse()).isZero();
            List<Long> seen = new ArrayList<>();
            TokenListener watch = new TokenListener() {
                @Override public void onToken(TokenEvent e) { seen.add(g.kvCacheBytesInUse()); }
            };
            SamplingParams p = SamplingParams.builder().temperature(0).maxTokens(3).ignoreEos(true).build();
            Sequence a = g.newSequence(tokenizer.encode("one", true), p, watch);
            Sequence b = g.newSequence(tokenizer.encode("two", true), p, watch);
            g.run(List.of(a, b));
            assertThat(seen).hasSize(6).containsOnly(2 * perSlot);
            assertThat(g.kvCacheBytesInUse()).isZero();
        }
        JavaKvCache cache = new JavaKvCache(Preset.TINY_LLAMA3_VOCAB.config(), 2, 16, KvDType.F32);
        cache.acquire(1);
        float[] keys = cache.keys(0, 1);
        keys[0] = 1f;
        assertThat(cache.bytesInUse()).isEqualTo(cache.bytes() / 2);
        cache.release(1);
        assertThat(cache.bytesInUse()).isZero();
        cache.acquire(1);
        assertThat(cache.keys(0, 1)).isSameAs(keys); // kept for the next sequence in the slot, not allocated again
        cache.close();
        assertThat(cache.bytesInUse()).isZero();
    }
}
