package dev.vane.server.http;

import java.time.Duration;

/**
 * What one listener allows its clients.
 *
 * @param maxConnections open connections; past it the longest-idle one is closed to admit a new
 *                       one, or the new one is answered 503 when none is idle
 * @param headerTimeout  from a request's first byte to the end of its header section (else 408)
 * @param bodyTimeout    the longest silence inside a request body (else 408)
 * @param idleTimeout    how long a connection may wait for its next request
 */
public record ConnectionLimits(int maxConnections, Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout) {

    public ConnectionLimits {
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be >= 1");
    }

    /**
     * Connections Helidon may hold open at once (its accept loop waits beyond): room for the ones
     * being closed or refused above {@link #maxConnections}, so that accepting never runs into the
     * process's open-file limit on its own.
     */
    public int acceptCap() {
        return maxConnections + Math.max(16, maxConnections / 8);
    }
}
