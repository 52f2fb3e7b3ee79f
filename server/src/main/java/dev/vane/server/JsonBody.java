package dev.vane.server;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.engine.text.Snippet;
import io.helidon.common.buffers.DataReader;
import dev.vane.server.http.RequestFramingException;
import io.helidon.webserver.http.ServerRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.regex.Pattern;

/**
 * Reads a request body as one JSON object: {@code Content-Type: application/json} (else 415), at
 * most {@code maxBytes} bytes (else 413), well-formed, no duplicate keys, nothing after the
 * object (else 400). Parse errors quote at most a short snippet of the body. A body whose HTTP
 * framing is broken or that stalls is a 400, 408 or 413 that closes the connection; a client that
 * closes the connection before its body is complete is a {@link ClientGone}.
 */
final class JsonBody {

    /** Characters of the body a parse error quotes. */
    private static final int ERROR_TOKEN_CHARS = Snippet.MAX;

    /** A quoted excerpt in a parser message (a token, a field name) longer than a snippet. */
    private static final Pattern QUOTED = Pattern.compile("'([^']{" + ERROR_TOKEN_CHARS + "})[^']+'");

    static final ObjectMapper JSON = mapper(StreamReadConstraints.DEFAULT_MAX_STRING_LEN);

    private JsonBody() {}

    /**
     * The parser for request bodies, taking strings of up to {@code maxStringLength} characters
     * (Jackson refuses longer ones; an artifact upload's base64 tensors need more than the default).
     */
    static ObjectMapper mapper(int maxStringLength) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(maxStringLength).build())
                // no excerpt of the body in messages (the default quotes 500 characters), short tokens
                .errorReportConfiguration(ErrorReportConfiguration.builder()
                        .maxErrorTokenLength(ERROR_TOKEN_CHARS).maxRawContentLength(0).build())
                .build();
        return new ObjectMapper(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    static ObjectNode read(ServerRequest req, long maxBytes) {
        return read(req, maxBytes, JSON);
    }

    /** {@link #read(ServerRequest, long)} with a parser of its own ({@link #mapper}). */
    static ObjectNode read(ServerRequest req, long maxBytes, ObjectMapper mapper) {
        String type = req.headers().contentType().map(t -> t.mediaType().text()).orElse("");
        if (!type.equalsIgnoreCase("application/json"))
            throw new ApiError(415, "invalid_request_error", null, "Content-Type must be application/json, got '"
                    + (type.isEmpty() ? "none" : Snippet.of(type)) + "'");
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > maxBytes) throw tooLarge(maxBytes);
        return parseObject(readAtMost(req, maxBytes), mapper);
    }

    /** Parses a JSON object body (400 when malformed or not an object). */
    static ObjectNode parseObject(byte[] bytes) {
        return parseObject(bytes, JSON);
    }

    private static ObjectNode parseObject(byte[] bytes, ObjectMapper mapper) {
        JsonNode body;
        try {
            body = mapper.readTree(bytes);
        } catch (JsonProcessingException e) {
            // the original message names the problem and its position; Snippet caps what it quotes
            throw ApiError.malformed("malformed JSON: " + Snippet.of(QUOTED.matcher(e.getOriginalMessage())
                    .replaceAll("'$1…'"), 200) + location(e));
        } catch (IOException e) {
            throw ApiError.malformed("unreadable body");
        }
        if (body == null || !body.isObject()) throw ApiError.malformed("the body must be a JSON object");
        return (ObjectNode) body;
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }

    /** A binary body of the given media type, at most {@code maxBytes} (415 / 413 otherwise). */
    static byte[] bytes(ServerRequest req, String mediaType, long maxBytes) {
        String type = req.headers().contentType().map(t -> t.mediaType().text()).orElse("");
        if (!type.equalsIgnoreCase(mediaType))
            throw new ApiError(415, "invalid_request_error", null, "Content-Type must be " + mediaType + ", got '"
                    + (type.isEmpty() ? "none" : Snippet.of(type)) + "'");
        if (req.headers().contentLength().orElse(-1) > maxBytes) throw tooLarge(maxBytes);
        return readAtMost(req, maxBytes);
    }

    private static byte[] readAtMost(ServerRequest req, long maxBytes) {
        try (InputStream in = req.content().inputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                if (out.size() > maxBytes) throw tooLarge(maxBytes);
            }
            return out.toByteArray();
        } catch (RequestFramingException e) {
            if (e.clientClosed()) throw new ClientGone("reading the request body", e);
            throw ApiError.framing(e.status(), e.getMessage());
        } catch (IOException | UncheckedIOException | DataReader.InsufficientDataAvailableException e) {
            // the socket closed (or reset) before the body was complete
            throw new ClientGone("reading the request body", e);
        }
    }

    private static ApiError tooLarge(long maxBytes) {
        return new ApiError(413, "invalid_request_error", null, "request_too_large",
                "the request body is larger than " + maxBytes + " bytes", 0);
    }
}
