package dev.vane.server.http;

import java.lang.management.ManagementFactory;
import java.util.Optional;

/** Whether the process may open as many files as its listeners may accept connections. */
public final class OpenFileLimit {

    /** Descriptors kept for everything else: class path jars, model files, uploads, the JVM's own. */
    static final long RESERVE = 128;

    private OpenFileLimit() {}

    /** A warning when {@code connections} (all listeners' accept caps) do not fit under the open-file limit; empty where the limit is unknown. */
    public static Optional<String> check(long connections) {
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os))
            return Optional.empty();
        long limit = os.getMaxFileDescriptorCount();
        long room = limit - os.getOpenFileDescriptorCount() - RESERVE;
        if (connections <= room) return Optional.empty();
        return Optional.of("the open-file limit (" + limit + ") leaves room for about " + Math.max(0, room)
                + " connections but the listeners may accept " + connections + "; lower --max-connections or raise ulimit -n");
    }
}
