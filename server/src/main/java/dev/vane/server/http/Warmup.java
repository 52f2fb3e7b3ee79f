package dev.vane.server.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;

import java.nio.charset.StandardCharsets;

/**
 * Runs every path of the connection code once, when the first listener is set up. A class is
 * loaded on its first use, which needs a file descriptor when it comes from a directory; a first
 * use during file-descriptor exhaustion fails, and the JVM remembers the failure for good. Loaded
 * here, before any client can exhaust anything, the guard keeps working through an exhaustion.
 */
final class Warmup {

    private static final String[] INPUTS = {
            "GET / HTTP/1.1\r\nHost: h\r\n\r\nPOST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2, 2\r\n\r\nhi",
            "\r\nPOST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2;a=\"b\"\r\nhi\r\n0\r\nT: 1\r\n\r\n",
            "GET / HTTP/1.0\r\nExpect: x\r\nConnection: keep-alive\r\n\r\n",
            "GET / HTTP/2.0\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/1.1\n", "GET / HTTP/1.1\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", "GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
            "GET / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
            "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
            "GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\rx",
            "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n",
            "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab",
    };

    private Warmup() {}

    static void run() {
        for (String input : INPUTS) {
            RequestFraming f = new RequestFraming("h:1");
            byte[] b = input.getBytes(StandardCharsets.ISO_8859_1);
            f.feed(b, 0, b.length);
            f.phase();
            f.endOfInput();
            f.abandon(408, "warm-up");
            while (f.poll() != null) { }
        }
        RequestFraming idle = new RequestFraming("h:1");
        idle.abandon(503, "warm-up");
        idle.poll();
        for (int status : new int[]{400, 408, 413, 414, 431, 501, 503, 505, 599}) GuardedInput.errorResponse(status, "warm-up");
        new RequestFramingException(400, "warm-up").status();
        for (String response : new String[]{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x\r\nhi\r\n0\r\nT: 1\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"}) {
            Http10Output out = new Http10Output(new Discard(), () -> true);
            out.write(BufferData.create(response.getBytes(StandardCharsets.ISO_8859_1)));
            out.writeNow(BufferData.create(new byte[0]));
        }
    }

    private static final class Discard implements DataWriter {
        @Override
        public void write(BufferData... buffers) { }

        @Override
        public void write(BufferData buffer) { }

        @Override
        public void writeNow(BufferData... buffers) { }

        @Override
        public void writeNow(BufferData buffer) { }
    }
}
