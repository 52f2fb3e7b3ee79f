package dev.vane.bench;

import dev.vane.engine.config.ModelConfig;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

/**
 * The memory-bound prediction of a batch-1 decode step: {@code threads} threads, started once,
 * read a buffer of the step's size and do nothing else (64-bit adds with the widest vector the
 * CPU has, four accumulators deep). They meet at a barrier before and after each read, as the
 * decoder's kernel pool does. The buffer must be larger than the caches for the figure to mean
 * memory.
 */
final class ReadCeiling implements AutoCloseable {

    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;

    private final long[] w;
    private final int per;
    private final long[] part;
    private final CyclicBarrier start, done;
    private final Thread[] ts;
    private volatile boolean closed;

    ReadCeiling(long bytes, int threads) {
        int block = 4 * L.length() * threads;
        int words = Math.toIntExact(bytes / 8 / block * block);
        w = new long[words];
        for (int i = 0; i < words; i += 512) w[i] = i; // touch every page
        per = words / threads;
        part = new long[threads];
        start = new CyclicBarrier(threads + 1);
        done = new CyclicBarrier(threads + 1);
        ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                try {
                    while (true) {
                        start.await();
                        if (closed) return;
                        part[id] += sum(w, id * per, id * per + per);
                        done.await();
                    }
                } catch (InterruptedException | BrokenBarrierException e) {
                    Thread.currentThread().interrupt();
                }
            }, "read-ceiling-" + t);
            ts[t].setDaemon(true);
            ts[t].start();
        }
    }

    /** Bytes one f16 decode step at batch 1 reads: every parameter once, except an untied embedding (one row of it). */
    static long f16StepBytes(ModelConfig c) {
        long untiedEmbedding = c.tieWordEmbeddings() ? 0 : (long) c.vocabSize() * c.hiddenSize();
        return 2 * (c.parameterCount() - untiedEmbedding);
    }

    /** Bytes one read covers (the requested size, rounded down to whole vector blocks). */
    long bytes() { return 8L * w.length; }

    /** Seconds one read of the whole buffer takes. */
    double read() throws Exception {
        long t0 = System.nanoTime();
        start.await();
        done.await();
        return (System.nanoTime() - t0) / 1e9;
    }

    /** A value that depends on every word read (printed so no read can be left out). */
    long checksum() {
        long s = 0;
        for (long p : part) s += p;
        return s;
    }

    @Override
    public void close() throws Exception {
        closed = true;
        start.await();
        for (Thread t : ts) t.join();
    }

    /** Σ w[lo..hi) in 64-bit lanes, four vectors at a time. */
    private static long sum(long[] w, int lo, int hi) {
        int step = L.length();
        LongVector a0 = LongVector.zero(L), a1 = LongVector.zero(L), a2 = LongVector.zero(L), a3 = LongVector.zero(L);
        for (int i = lo; i < hi; i += 4 * step) {
            a0 = a0.add(LongVector.fromArray(L, w, i));
            a1 = a1.add(LongVector.fromArray(L, w, i + step));
            a2 = a2.add(LongVector.fromArray(L, w, i + 2 * step));
            a3 = a3.add(LongVector.fromArray(L, w, i + 3 * step));
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }
}
