package dev.vane.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Notices a client that closes its connection while its non-streaming request waits for the engine
 * (a stream notices on its next write, its tokens or a keep-alive). Helidon gives a handler no way
 * to see a peer's close without reading from the connection, which belongs to Helidon; the kernel
 * does: Linux lists every TCP socket of the process's network namespace, with its state, in
 * {@code /proc/self/net/tcp} and {@code tcp6}. A watched connection that is no longer
 * {@code ESTABLISHED} there (the client sent FIN: {@code CLOSE_WAIT}; or RST: gone from the table)
 * has gone, and its watch's action runs, once. One daemon thread reads the tables every
 * {@code period} while something is watched. Where the tables do not exist (not Linux) nothing is
 * ever reported gone; the request deadline ({@code --request-timeout}) still bounds the work.
 */
final class ConnectionWatch {

    /** The state column of an established connection in the kernel's table. */
    private static final String ESTABLISHED = "01";
    private static final List<Path> LINUX_TABLES = List.of(Path.of("/proc/self/net/tcp"), Path.of("/proc/self/net/tcp6"));
    private static final System.Logger LOG = System.getLogger(ConnectionWatch.class.getName());

    /** A watched connection: {@link #gone()} once the client has closed it; close it when the response is done. */
    interface Watch extends AutoCloseable {
        boolean gone();

        @Override
        void close();
    }

    private static final Watch NEVER = new Watch() {
        @Override public boolean gone() { return false; }
        @Override public void close() {}
    };

    /** A connection by its two ends, each {@code hex(address bytes):port}, IPv4-mapped IPv6 addresses as IPv4. */
    private record Key(String local, String remote) {}

    private final class Registration implements Watch {
        private final Key key;
        private final Runnable onGone;
        private volatile boolean gone;

        Registration(Key key, Runnable onGone) {
            this.key = key;
            this.onGone = onGone;
        }

        @Override public boolean gone() { return gone; }

        @Override public void close() { watched.remove(key, this); }

        void fire() {
            if (gone) return;
            gone = true;
            watched.remove(key, this);
            onGone.run();
        }
    }

    private final List<Path> tables;
    private final long periodNanos;
    private final Map<Key, Registration> watched = new ConcurrentHashMap<>();
    private Thread poller; // guarded by this

    ConnectionWatch(List<Path> tables, Duration period) {
        this.tables = List.copyOf(tables);
        this.periodNanos = period.toNanos();
    }

    /** Linux's socket tables, polled every 250 ms; a watch that never fires where they do not exist. */
    static ConnectionWatch system() {
        return new ConnectionWatch(Files.isReadable(LINUX_TABLES.get(0)) ? LINUX_TABLES : List.of(), Duration.ofMillis(250));
    }

    /** Whether this watch can notice anything here (the kernel's tables are readable). */
    boolean available() {
        return !tables.isEmpty();
    }

    /**
     * Watches the connection between {@code local} and {@code remote} (the server's and the
     * client's ends); runs {@code onGone} on the watch's thread once the client has closed it.
     */
    Watch watch(SocketAddress local, SocketAddress remote, Runnable onGone) {
        if (tables.isEmpty()) return NEVER;
        Optional<Key> key = key(local, remote);
        if (key.isEmpty()) return NEVER;
        Registration r = new Registration(key.get(), onGone);
        watched.put(key.get(), r);
        ensurePolling();
        return r;
    }

    private static Optional<Key> key(SocketAddress local, SocketAddress remote) {
        if (!(local instanceof InetSocketAddress l) || !(remote instanceof InetSocketAddress r)
                || l.getAddress() == null || r.getAddress() == null) return Optional.empty();
        return Optional.of(new Key(endpoint(l.getAddress().getAddress(), l.getPort()),
                endpoint(r.getAddress().getAddress(), r.getPort())));
    }

    private static String endpoint(byte[] address, int port) {
        try {
            // getByAddress turns an IPv4-mapped IPv6 address into the IPv4 one, as Java reports peers
            return HexFormat.of().formatHex(InetAddress.getByAddress(address).getAddress()) + ":" + port;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address length " + address.length, e);
        }
    }

    private synchronized void ensurePolling() {
        if (poller == null) poller = Thread.ofPlatform().daemon().name("vane-connection-watch").start(this::poll);
    }

    private void poll() {
        while (true) {
            synchronized (this) {
                if (watched.isEmpty()) {
                    poller = null;
                    return;
                }
            }
            LockSupport.parkNanos(periodNanos);
            try {
                check();
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "connection watch: cannot read the socket table: " + e);
            }
        }
    }

    /** Reads the tables once and fires the watches of connections that are no longer established. */
    void check() throws IOException {
        List<Registration> now = List.copyOf(watched.values());
        if (now.isEmpty()) return;
        Set<Integer> remotePorts = new HashSet<>();
        for (Registration r : now) remotePorts.add(port(r.key.remote()));
        Map<Key, String> states = new HashMap<>();
        for (Path table : tables) {
            if (!Files.exists(table)) continue;
            try (BufferedReader in = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
                in.readLine(); // the column names
                for (String line; (line = in.readLine()) != null; ) {
                    String[] f = line.trim().split("\\s+", 5);
                    if (f.length < 4) continue;
                    String remote = fromTable(f[2]);
                    if (!remotePorts.contains(port(remote))) continue;
                    states.put(new Key(fromTable(f[1]), remote), f[3]);
                }
            }
        }
        for (Registration r : now)
            if (!ESTABLISHED.equals(states.get(r.key))) {
                try {
                    r.fire();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "connection watch: action failed", e);
                }
            }
    }

    private static int port(String endpoint) {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    /**
     * An endpoint as the kernel's table writes it, {@code ADDR:PORT} in hex, the address as 32-bit
     * words in the machine's byte order (8 digits for IPv4, 32 for IPv6), in this class's key form.
     */
    static String fromTable(String field) {
        int colon = field.indexOf(':');
        String hex = field.substring(0, colon);
        ByteBuffer bytes = ByteBuffer.allocate(hex.length() / 2).order(ByteOrder.nativeOrder());
        for (int i = 0; i < hex.length(); i += 8) bytes.putInt((int) Long.parseLong(hex.substring(i, i + 8), 16));
        return endpoint(bytes.array(), Integer.parseInt(field.substring(colon + 1), 16));
    }
}
