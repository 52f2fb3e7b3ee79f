package dev.vane.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Noticing clients that close their connection, from the kernel's socket tables. */
class ConnectionWatchTest {

    private static final String HEADER =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

    /** A row of /proc/net/tcp or tcp6 (x86: address words little-endian). */
    private static String row(String local, String remote, String state) {
        return "   0: " + local + " " + remote + " " + state + " 00000000:00000000 00:00000000 00000000     0        0 1 1\n";
    }

    @Test
    void readsTheKernelsHexEndpointsIPv4MappedAddressesAsIPv4() throws Exception {
        ConnectionWatch w = new ConnectionWatch(List.of(), Duration.ofMillis(10));
        assertThat(w.available()).isFalse();
        assertEquals(ConnectionWatch.fromTable("0100007F:1F90"), ConnectionWatch.fromTable("0000000000000000FFFF00000100007F:1F90"));
        assertThat(ConnectionWatch.fromTable("0100007F:1F90")).isEqualTo("7f000001:8080");
        assertThat(ConnectionWatch.fromTable("00000000000000000000000001000000:0050")).isEqualTo("00000000000000000000000000000001:80");
    }

    @Test
    void firesOnceForAConnectionThatLeftTheEstablishedState(@TempDir Path dir) throws Exception {
        Path tcp = dir.resolve("tcp"), tcp6 = dir.resolve("tcp6");
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        InetSocketAddress server = new InetSocketAddress(loopback, 8080);
        InetSocketAddress stays = new InetSocketAddress(loopback, 50000), halfClosed = new InetSocketAddress(loopback, 50001),
                reset = new InetSocketAddress(loopback, 50002);
        Files.writeString(tcp, HEADER + row("0100007F:1F90", "0100007F:C350", "01") + row("0100007F:1F90", "0100007F:C352", "01"));
        // a dual-stack listener's IPv4 client, as tcp6 lists it; CLOSE_WAIT (08): the client sent FIN
        Files.writeString(tcp6, HEADER + row("0000000000000000FFFF00000100007F:1F90", "0000000000000000FFFF00000100007F:C351", "08"));
        ConnectionWatch watch = new ConnectionWatch(List.of(tcp, tcp6), Duration.ofHours(1));
        AtomicInteger fired = new AtomicInteger();
        try (ConnectionWatch.Watch a = watch.watch(server, stays, fired::incrementAndGet);
             ConnectionWatch.Watch b = watch.watch(server, halfClosed, fired::incrementAndGet);
             ConnectionWatch.Watch c = watch.watch(server, reset, fired::incrementAndGet)) {
            watch.check();
            assertThat(a.gone()).isFalse();
            assertThat(b.gone()).isTrue();
            assertThat(c.gone()).isFalse();
            assertEquals(1, fired.get());
            // the reset connection is no longer listed at all
            Files.writeString(tcp, HEADER + row("0100007F:1F90", "0100007F:C350", "01"));
            watch.check();
            watch.check();
            assertThat(c.gone()).isTrue();
            assertThat(a.gone()).isFalse();
            assertEquals(2, fired.get(), "each watch fires once");
        }
    }

    @Test
    void noticesARealClientClosingItsSocket() throws Exception {
        ConnectionWatch watch = ConnectionWatch.system();
        assertThat(watch.available()).as("Linux socket tables").isTrue();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             Socket accepted = listener.accept()) {
            CountDownLatch gone = new CountDownLatch(1);
            try (ConnectionWatch.Watch w = watch.watch(accepted.getLocalSocketAddress(), accepted.getRemoteSocketAddress(),
                    gone::countDown)) {
                watch.check();
                assertThat(w.gone()).as("an open connection").isFalse();
                client.close();
                assertThat(gone.await(60, TimeUnit.SECONDS)).as("noticed by the polling thread").isTrue();
                assertThat(w.gone()).isTrue();
            }
        }
    }
}
