package dev.vane.server;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * HTTP/1.x framing on the wire (RFC 9112), over raw sockets: chunk extensions are valid, broken
 * chunked framing is a 400 that closes the connection (nothing after it is read as a request),
 * {@code Connection: close} closes, and HTTP/1.0 clients are served.
 */
class HttpFramingTest {

    private static final String BODY = "{\"prompt\": \"Hello\", \"max_tokens\": 2, \"temperature\": 0}";
    private static final String NEXT = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    private final TestServer s = TestServer.shared();

    private static String chunk(String data) {
        return Integer.toHexString(data.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + data + "\r\n";
    }

    @Test
    void chunkExtensionsAreAcceptedAndTheConnectionStaysUsable() throws Exception {
        String half = BODY.substring(0, 10), rest = BODY.substring(10);
        try (RawHttp c = new RawHttp(s.server.port())) {
            c.postChunked("/v1/completions", Integer.toHexString(half.length()) + ";name=value\r\n" + half + "\r\n"
                    + Integer.toHexString(rest.length()) + " ; quoted=\"a \\\"b\\\"\" ;bare\r\n" + rest + "\r\n0;last=1\r\n\r\n");
            RawHttp.Response r = c.read();
            assertEquals(200, r.status(), r.body());
            assertThat(TestServer.read(r.body()).get("choices").get(0).get("text").isTextual()).isTrue();
            assertEquals(200, c.send(NEXT).read().status(), "the same connection serves the next request");
        }
    }

    @Test
    void trailerFieldsAfterTheLastChunkAreAccepted() throws Exception {
        try (RawHttp c = new RawHttp(s.server.port())) {
            RawHttp.Response r = c.postChunked("/v1/completions", chunk(BODY) + "0\r\nX-Checksum: 42\r\n\r\n").read();
            assertEquals(200, r.status(), r.body());
        }
    }

    @Test
    void chunkDataWithoutItsCrlfIsA400ThatClosesTheConnection() throws Exception {
        try (RawHttp c = new RawHttp(s.server.port())) {
            // the chunk's data runs two bytes past its size where CRLF must stand; a request follows
            RawHttp.Response r = c.postChunked("/v1/completions", Integer.toHexString(BODY.length()) + "\r\n" + BODY + "XX0\r\n\r\n" + NEXT)
                    .read();
            assertFramingError(r, 400);
            assertThat(r.body()).contains("CRLF");
            assertThat(c.closedWithin(5000)).as("closed, and the request after the broken body never answered").isTrue();
        }
    }

    @Test
    void aMalformedChunkSizeIsA400ThatClosesTheConnection() throws Exception {
        for (String broken : new String[]{"zz\r\n" + BODY + "\r\n0\r\n\r\n", "5;=x\r\nhello\r\n0\r\n\r\n", "5\nhello\r\n0\r\n\r\n"}) {
            try (RawHttp c = new RawHttp(s.server.port())) {
                RawHttp.Response r = c.postChunked("/v1/completions", broken + NEXT).read();
                assertFramingError(r, 400);
                assertThat(c.closedWithin(5000)).as("closed after %s", broken).isTrue();
            }
        }
    }

    @Test
    void aBodyCutShortByTheClientIsA400() throws Exception {
        try (RawHttp c = new RawHttp(s.server.port())) {
            c.postChunked("/v1/completions", "40\r\n" + BODY.substring(0, 20));
            c.shutdownOutput();
            assertFramingError(c.read(), 400);
        }
    }

    @Test
    void ambiguousHeadsAreRefusedAndTheConnectionCloses() throws Exception {
        String post = "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
        String[][] cases = {
                {"GET /health/live HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", "505"},
                {post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", "400"},
                {post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", "400"},
                {post + "Transfer-Encoding: chunked, gzip\r\n\r\n", "400"},
                {post + "Transfer-Encoding: gzip, chunked\r\n\r\n", "501"},
                {"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: 1\r\n folded\r\n\r\n", "400"},
                {"GET /health/live HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n", "400"},
                {"GET /health/live HTTP/1.1\nHost: 127.0.0.1\n\n", "400"},
                {"GET /health/live HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", "400"},
        };
        for (String[] c : cases) {
            try (RawHttp raw = new RawHttp(s.server.port())) {
                RawHttp.Response r = raw.send(c[0] + NEXT).read();
                assertFramingError(r, Integer.parseInt(c[1]));
                assertThat(raw.closedWithin(5000)).as("closed after %s", c[0]).isTrue();
            }
        }
    }

    @Test
    void aRepeatedEqualContentLengthIsOneLength() throws Exception {
        try (RawHttp c = new RawHttp(s.server.port())) {
            RawHttp.Response r = c.send("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + BODY.length() + ", " + BODY.length() + "\r\n\r\n" + BODY).read();
            assertEquals(200, r.status(), r.body());
        }
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        try (RawHttp c = new RawHttp(s.server.port())) {
            RawHttp.Response r = c.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").read();
            assertEquals(200, r.status());
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(c.closedWithin(3000)).as("the server closes the connection after the response").isTrue();
        }
        try (RawHttp c = new RawHttp(s.server.port())) {
            RawHttp.Response r = c.send("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive, close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY + NEXT).read();
            assertEquals(200, r.status(), r.body());
            assertThat(c.closedWithin(3000)).as("a pipelined request after Connection: close is not served").isTrue();
        }
    }

    @Test
    void keptAliveConnectionsServePipelinedRequests() throws Exception {
        try (RawHttp c = new RawHttp(s.server.port())) {
            c.send(NEXT + "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + BODY.length() + "\r\n\r\n" + BODY + NEXT);
            assertEquals(200, c.read().status());
            assertEquals(200, c.read().status());
            assertEquals(200, c.read().status());
        }
    }

    @Test
    void http10RequestsAreServedAndClosed() throws Exception {
        try (RawHttp c = new RawHttp(s.server.port())) {
            RawHttp.Response r = c.send("GET /v1/models HTTP/1.0\r\n\r\n").read();
            assertEquals(200, r.status(), r.body());
            assertEquals(s.modelId, TestServer.read(r.body()).get("data").get(0).get("id").asText());
            assertThat(c.closedWithin(3000)).isTrue();
        }
        try (RawHttp c = new RawHttp(s.server.port())) {
            RawHttp.Response r = c.send("POST /v1/completions HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: "
                    + BODY.length() + "\r\n\r\n" + BODY).read();
            assertEquals(200, r.status(), r.body());
            assertThat(TestServer.read(r.body()).get("usage").get("completion_tokens").asInt()).isEqualTo(2);
        }
    }

    @Test
    void anHttp10StreamIsSentCloseDelimitedNotChunked() throws Exception {
        String stream = "{\"prompt\": \"Hello\", \"max_tokens\": 3, \"temperature\": 0, \"stream\": true}";
        try (RawHttp c = new RawHttp(s.server.port())) {
            RawHttp.Response r = c.send("POST /v1/completions HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: "
                    + stream.length() + "\r\n\r\n" + stream).read();
            assertEquals(200, r.status(), r.body());
            assertThat(r.headers()).doesNotContainKey("transfer-encoding");
            assertThat(r.rawBody()).startsWith("data: ").endsWith("data: [DONE]\n\n");
        }
    }

    /** A 4xx in OpenAI's error shape that names no Java internals and announces the close. */
    private static void assertFramingError(RawHttp.Response r, int status) {
        assertEquals(status, r.status(), r.body());
        assertThat(r.header("connection")).isEqualToIgnoringCase("close");
        assertThat(TestServer.read(r.body()).get("error").get("message").asText()).isNotBlank();
        assertThat(r.body()).doesNotContain("Exception", "java.", "dev.vane", "io.helidon");
    }
}
