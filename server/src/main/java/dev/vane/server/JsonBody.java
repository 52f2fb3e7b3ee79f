package dev.vane.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.server.http.RequestFramingException;
import io.helidon.webserver.http.ServerRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads a request body as one JSON object: {@code Content-Type: application/json} (else 415), at
 * most {@code maxBytes} bytes (else 413), well-formed, no duplicate keys, nothing after the
 * object (else 400). A body whose HTTP framing is broken or that stalls is a 400, 408 or 413
 * that closes the connection.
 */
final class JsonBody {

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private JsonBody() {}

    static ObjectNode read(ServerRequest req, long maxBytes) {
        String type = req.headers().contentType().map(t -> t.mediaType().text()).orElse("");
        if (!type.equalsIgnoreCase("application/json"))
            throw new ApiError(415, "invalid_request_error", null, "Content-Type must be application/json, got '"
                    + (type.isEmpty() ? "none" : type) + "'");
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > maxBytes) throw tooLarge(maxBytes);
        return parseObject(readAtMost(req, maxBytes));
    }

    /** Parses a JSON object body (400 when malformed or not an object). */
    static ObjectNode parseObject(byte[] bytes) {
        JsonNode body;
        try {
            body = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ApiError.malformed("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.malformed("unreadable body: " + e.getMessage());
        }
        if (body == null || !body.isObject()) throw ApiError.malformed("the body must be a JSON object");
        return (ObjectNode) body;
    }

    /** A binary body of the given media type, at most {@code maxBytes} (415 / 413 otherwise). */
    static byte[] bytes(ServerRequest req, String mediaType, long maxBytes) {
        String type = req.headers().contentType().map(t -> t.mediaType().text()).orElse("");
        if (!type.equalsIgnoreCase(mediaType))
            throw new ApiError(415, "invalid_request_error", null, "Content-Type must be " + mediaType + ", got '"
                    + (type.isEmpty() ? "none" : type) + "'");
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
            throw ApiError.framing(e.status(), e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ApiError tooLarge(long maxBytes) {
        return new ApiError(413, "invalid_request_error", null, "request_too_large",
                "the request body is larger than " + maxBytes + " bytes", 0);
    }
}
