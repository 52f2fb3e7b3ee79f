package dev.vane.engine.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Worker threads for the Java kernels: {@code threads - 1} long-lived daemons plus the calling
 * thread, handed work through a volatile epoch rather than an executor queue.
 *
 * <p>A decode step runs about five parallel sections per layer (121 matrix products for a
 * 30-layer model), each lasting tens to hundreds of microseconds, so the hand-off must cost far
 * less than an executor's submit/get (a queue, a future, a park and an unpark: 10–50 µs).
 * {@link #run} publishes a section of {@code chunks} independent chunks by bumping the epoch;
 * every thread, the caller included, claims chunks from a shared counter until none is left.
 * Workers spin on the epoch for up to {@link #SPIN_NANOS} after their last section (so the
 * sections of one step hand over in well under a microsecond), then park until the next
 * {@link #run} unparks them, which keeps an idle server from burning its cores.
 *
 * <p>Claiming chunks (rather than a fixed share per thread) keeps a step going at full speed
 * when the machine is busy: a worker that the OS has descheduled simply claims nothing, and the
 * caller does its share instead of waiting for it.
 *
 * <p>Thread safety: {@link #run} may be called from several threads; calls are serialised.
 */
public final class KernelPool implements AutoCloseable {

    /** One chunk of a parallel section; chunks are numbered {@code 0 .. chunks-1} and may run in any order. */
    @FunctionalInterface
    public interface Task {
        void run(int chunk);
    }

    /** How long an idle worker spins before it parks. */
    static final long SPIN_NANOS = 200_000;

    /** One published section: its chunk counters are private to it, so a late worker cannot touch the next one. */
    private static final class Section {
        final Task task;
        final int chunks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Section(Task task, int chunks) {
            this.task = task;
            this.chunks = chunks;
        }

        /** Claims and runs chunks until none is left. */
        void work() {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                try {
                    task.run(c);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private final int threads;
    private final Thread[] workers;
    private final AtomicIntegerArray parked;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile long epoch;
    private volatile Section section;
    private volatile boolean closed;

    public KernelPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        this.parked = new AtomicIntegerArray(Math.max(1, threads - 1));
        for (int i = 0; i < workers.length; i++) {
            int index = i;
            Thread t = new Thread(() -> work(index), "vane-kernel-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    public int threads() { return threads; }

    /** Runs chunks {@code 0 .. chunks-1} of {@code task} on the pool and the calling thread; returns when all are done. */
    public void run(int chunks, Task task) {
        if (chunks <= 0) return;
        if (threads == 1 || chunks == 1) {
            for (int c = 0; c < chunks; c++) task.run(c);
            return;
        }
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("kernel pool closed");
            Section s = new Section(task, chunks);
            section = s;
            epoch = epoch + 1; // publishes the section
            for (int i = 0; i < workers.length; i++)
                if (parked.get(i) != 0) LockSupport.unpark(workers[i]);
            s.work();
            int spins = 0;
            while (s.done.get() < chunks) {
                // a chunk is still running on a worker; if that takes long the worker was probably
                // descheduled, so give up the core rather than spin against it
                if (++spins < 1024) Thread.onSpinWait();
                else Thread.yield();
            }
            Throwable f = s.failure;
            if (f instanceof RuntimeException r) throw r;
            if (f instanceof Error e) throw e;
            if (f != null) throw new IllegalStateException("kernel task failed", f);
        } finally {
            lock.unlock();
        }
    }

    private void work(int index) {
        long seen = 0;
        while (true) {
            long idleSince = System.nanoTime();
            int spins = 0;
            while (epoch == seen && !closed) {
                Thread.onSpinWait();
                if ((++spins & 127) == 0 && System.nanoTime() - idleSince > SPIN_NANOS) {
                    parked.set(index, 1);
                    // re-check after announcing: run() either sees the flag or we see its epoch
                    if (epoch == seen && !closed) LockSupport.park(this);
                    parked.set(index, 0);
                    idleSince = System.nanoTime();
                }
            }
            if (closed) return;
            seen = epoch;
            Section s = section;
            if (s != null) s.work();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) LockSupport.unpark(t);
    }
}
