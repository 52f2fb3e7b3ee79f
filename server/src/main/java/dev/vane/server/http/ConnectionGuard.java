package dev.vane.server.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One listener's HTTP/1 connections, each read through a {@link GuardedInput} (framing checked,
 * timeouts, HTTP/1.0 served), and their number kept within {@link ConnectionLimits#maxConnections}:
 * a connection past it closes the one that has waited longest for a request, or is answered 503
 * when every connection is busy. Install with {@link #install}.
 */
public final class ConnectionGuard {

    static {
        Warmup.run();
    }

    private final ConnectionLimits limits;
    private final Http1ConnectionSelector http1 = Http1ConnectionSelector.builder().config(Http1Config.create()).build();
    private final Set<GuardedConnection> open = ConcurrentHashMap.newKeySet();

    public ConnectionGuard(ConnectionLimits limits) {
        this.limits = limits;
    }

    /**
     * Makes this guard the listener's only way to open a connection (no HTTP/2, no protocol found
     * on the class path), and caps Helidon's own accept loop at {@link ConnectionLimits#acceptCap}.
     */
    public WebServerConfig.Builder install(WebServerConfig.Builder listener) {
        return listener.protocolsDiscoverServices(false)
                .addConnectionSelector(new Selector())
                .maxTcpConnections(limits.acceptCap());
    }

    /** Connections open now. */
    public int open() {
        return open.size();
    }

    private synchronized void admit(GuardedConnection c) {
        open.add(c);
        if (open.size() <= limits.maxConnections()) return;
        GuardedConnection oldest = null;
        long oldestSince = Long.MAX_VALUE;
        for (GuardedConnection other : open) {
            long since = other.input().idleSince();
            if (other != c && since != -1 && !other.input().evicted() && since < oldestSince) {
                oldest = other;
                oldestSince = since;
            }
        }
        if (oldest != null) oldest.input().evict();
        else c.input().refuse();
    }

    void release(GuardedConnection c) {
        open.remove(c);
    }

    private final class Selector implements ServerConnectionSelector {
        @Override
        public int bytesToIdentifyConnection() {
            return 0;
        }

        @Override
        public Support supports(BufferData data) {
            return Support.SUPPORTED; // HTTP/1.0 too; anything else gets its error from the framing check
        }

        @Override
        public Set<String> supportedApplicationProtocols() {
            return Set.of("http/1.1");
        }

        @Override
        public ServerConnection connection(ConnectionContext ctx) {
            GuardedInput input = new GuardedInput(ctx.dataReader(), ctx.dataWriter(), host(ctx), limits);
            GuardedContext guarded = new GuardedContext(ctx, DataReader.create(input),
                    new Http10Output(ctx.dataWriter(), input::http10));
            GuardedConnection c = new GuardedConnection(http1.connection(guarded), input, ConnectionGuard.this);
            admit(c);
            input.start();
            return c;
        }

        /** {@code host:port} of the listener as the client reached it, for HTTP/1.0 requests without a Host. */
        private static String host(ConnectionContext ctx) {
            if (ctx.localPeer().address() instanceof InetSocketAddress a) {
                String h = (a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress()).replaceFirst("%.*$", "");
                return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
            }
            return "localhost";
        }
    }
}
