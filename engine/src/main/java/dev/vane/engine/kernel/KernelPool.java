package dev.vane.engine.kernel;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Worker threads for the Java kernels: {@code threads - 1} daemons plus the calling thread. */
public final class KernelPool implements AutoCloseable {

    private final int threads;
    private final ExecutorService executor;

    public KernelPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
        this.threads = threads;
        this.executor = Executors.newFixedThreadPool(Math.max(1, threads - 1), r -> {
            Thread t = new Thread(r, "vane-kernel");
            t.setDaemon(true);
            return t;
        });
    }

    public int threads() { return threads; }
    ExecutorService executor() { return executor; }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
