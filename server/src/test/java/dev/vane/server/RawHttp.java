package dev.vane.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One client connection on a raw socket, for tests of HTTP framing: writes exactly the bytes
 * given, reads responses as sent (status line, headers, a Content-Length, chunked or
 * close-delimited body). Every read is bounded by the socket timeout.
 */
final class RawHttp implements AutoCloseable {

    /** A response: status line, lower-case header names, body as text, the body's raw bytes. */
    record Response(String statusLine, Map<String, String> headers, String body, String rawBody) {
        int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }

        String header(String name) {
            return headers.getOrDefault(name, "");
        }
    }

    private final Socket socket;
    private final InputStream in;

    RawHttp(String host, int port, int timeoutMillis) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        in = socket.getInputStream();
    }

    RawHttp(int port) throws IOException {
        this("127.0.0.1", port, 10_000);
    }

    RawHttp send(String ascii) throws IOException {
        socket.getOutputStream().write(ascii.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return this;
    }

    /** Closes the sending side, as a client that has nothing more to send. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** A POST with a JSON body sent as the given chunked body text (everything after the headers). */
    RawHttp postChunked(String path, String chunkedBody) throws IOException {
        return send("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + chunkedBody);
    }

    Response read() throws IOException {
        String status = line();
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l; !(l = line()).isEmpty(); ) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).strip().toLowerCase(Locale.ROOT), l.substring(colon + 1).strip());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(), raw = new ByteArrayOutputStream();
        if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
            raw.write(body.toByteArray());
        } else if (headers.getOrDefault("transfer-encoding", "").equalsIgnoreCase("chunked")) {
            for (int size; (size = Integer.parseInt(line().split(";")[0].strip(), 16)) > 0; ) {
                body.write(in.readNBytes(size));
                line();
            }
            while (!line().isEmpty()) { } // trailers
        } else {
            byte[] rest = in.readAllBytes(); // close-delimited
            body.write(rest);
            raw.write(rest);
        }
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8), raw.toString(StandardCharsets.UTF_8));
    }

    /** Whether the server closes the connection within {@code millis}: the next read ends the stream. */
    boolean closedWithin(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c == -1) throw new IOException("the connection ended inside a response: " + b.toString(StandardCharsets.ISO_8859_1));
            b.write(c);
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
