package dev.vane.server.http;

import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.task.InterruptableTask;
import io.helidon.webserver.spi.ServerConnection;

import java.time.Duration;

/** Helidon's HTTP/1 connection over a {@link GuardedInput}, counted by its listener's {@link ConnectionGuard} while it runs. */
final class GuardedConnection implements ServerConnection, InterruptableTask<Void> {

    private final ServerConnection http1;
    private final GuardedInput input;
    private final ConnectionGuard guard;

    GuardedConnection(ServerConnection http1, GuardedInput input, ConnectionGuard guard) {
        this.http1 = http1;
        this.input = input;
        this.guard = guard;
    }

    GuardedInput input() {
        return input;
    }

    @Override
    public void handle(Limit limit) throws InterruptedException {
        try {
            http1.handle(limit);
        } finally {
            input.close();
            guard.release(this);
        }
    }

    @Override
    public boolean canInterrupt() {
        return http1 instanceof InterruptableTask<?> t && t.canInterrupt();
    }

    @Override
    public Duration idleTime() {
        return http1.idleTime();
    }

    @Override
    public void close(boolean interrupt) {
        http1.close(interrupt);
    }
}
