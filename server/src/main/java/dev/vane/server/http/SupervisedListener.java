package dev.vane.server.http;

import io.helidon.webserver.WebServer;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A Helidon listener that comes back when it stops accepting. Helidon 4 ends a listener for good
 * on the first error of its accept loop (for example "Too many open files"), leaving the process
 * and its other listener up; so every {@code probeEvery} this class connects to its own port, and
 * when the connection is refused it replaces the server with a new one on the same port, retrying
 * with a doubling back-off up to {@link #MAX_BACKOFF}. {@link #problem()} tells readiness when the
 * failure persists: the listener is down, or it had to be restarted {@link #FAILURES} times within
 * {@link #WINDOW}.
 */
public final class SupervisedListener implements AutoCloseable {

    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final int FAILURES = 3;
    private static final System.Logger LOG = System.getLogger(SupervisedListener.class.getName());

    private final String name;
    private final String probeHost;
    private final IntFunction<WebServer> factory;
    private final ScheduledExecutorService probe;
    private final Deque<Long> failures = new ArrayDeque<>();
    private volatile WebServer server;
    private volatile boolean down;
    private volatile boolean closed;
    private final int port;

    private SupervisedListener(String name, String host, WebServer server, IntFunction<WebServer> factory) {
        this.name = name;
        this.probeHost = switch (host) {
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "[::]", "0:0:0:0:0:0:0:0" -> "::1";
            default -> host;
        };
        this.server = server;
        this.port = server.port();
        this.factory = factory;
        this.probe = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("vane-" + name + "-listener").unstarted(r));
    }

    /**
     * Starts a server from {@code factory} (given the port: {@code port} first, the bound one on
     * restarts) and watches it.
     *
     * @param name a name for the log ("public", "admin")
     * @param host the bind address (the probe connects to loopback for a wildcard one)
     */
    public static SupervisedListener start(String name, String host, int port, IntFunction<WebServer> factory, Duration probeEvery) {
        SupervisedListener l = new SupervisedListener(name, host, factory.apply(port).start(), factory);
        l.probe.scheduleWithFixedDelay(l::check, probeEvery.toMillis(), probeEvery.toMillis(), TimeUnit.MILLISECONDS);
        return l;
    }

    public int port() {
        return port;
    }

    /** The server now serving (a new one after each restart). */
    public WebServer server() {
        return server;
    }

    /** Why readiness should be down because of this listener; empty when it is healthy. */
    public Optional<String> problem() {
        if (down) return Optional.of("the " + name + " listener stopped accepting connections and is being restarted");
        int recent = recentFailures();
        return recent >= FAILURES
                ? Optional.of("the " + name + " listener stopped accepting connections " + recent + " times within " + WINDOW.toSeconds() + " s")
                : Optional.empty();
    }

    private synchronized int recentFailures() {
        long since = System.nanoTime() - WINDOW.toNanos();
        while (!failures.isEmpty() && failures.peekFirst() < since) failures.pollFirst();
        return failures.size();
    }

    private void check() {
        if (closed || accepting()) return;
        synchronized (this) {
            failures.addLast(System.nanoTime());
        }
        down = true;
        LOG.log(System.Logger.Level.WARNING, "the " + name + " listener on port " + port + " stopped accepting connections; restarting it");
        try {
            server.stop();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "stopping the failed listener: " + e);
        }
        long backoff = 250;
        while (!closed) {
            try {
                server = factory.apply(port).start();
                down = false;
                LOG.log(System.Logger.Level.INFO, "the " + name + " listener accepts connections again on port " + port);
                return;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "restarting the " + name + " listener failed (" + e.getMessage() + "); retrying in "
                        + backoff + " ms");
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
        }
    }

    /**
     * Whether the port takes connections. Only a refused connection means the listener is gone: a
     * slow one (a full backlog) or none at all (this process out of file descriptors) says nothing
     * about it.
     */
    private boolean accepting() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(probeHost, port), 1000);
            return true;
        } catch (ConnectException e) {
            return !e.getMessage().contains("refused");
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        closed = true;
        probe.shutdownNow();
        server.stop();
    }
}
