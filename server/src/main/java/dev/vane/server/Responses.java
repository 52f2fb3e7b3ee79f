package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerResponse;

/** Sending JSON bodies and OpenAI error bodies; timing handlers into the request metric. */
final class Responses {

    private Responses() {}

    static void json(ServerResponse res, JsonNode body) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json").send(body.toString());
    }

    static ObjectNode errorBody(ApiError e) {
        ObjectNode body = JsonBody.JSON.createObjectNode();
        ObjectNode inner = body.putObject("error");
        inner.put("message", e.getMessage()).put("type", e.type());
        inner.put("param", e.param());
        inner.put("code", e.code());
        return body;
    }

    static void error(ServerResponse res, ApiError e) {
        if (res.isSent()) return;
        res.status(Status.create(e.status()));
        if (e.retryAfterSeconds() > 0) res.header(HeaderNames.RETRY_AFTER, String.valueOf(e.retryAfterSeconds()));
        json(res, errorBody(e));
    }

    /** The status logged and counted for a request whose client left before its answer (nginx's). */
    static final Status CLIENT_CLOSED = Status.create(499, "Client Closed Request");

    /**
     * Ends a request whose client has left: status 499 for the metrics and the access log, and an
     * attempt to send it that a closed connection may refuse.
     */
    static void clientGone(ServerResponse res) {
        res.status(CLIENT_CLOSED);
        try {
            res.send();
        } catch (RuntimeException e) {
            // the connection is closed: nothing more to do
        }
    }

    /**
     * Wraps a route handler: {@link ApiError}s become error bodies, anything else a 500 with an
     * OpenAI {@code server_error} body, and the request's duration and status go to the metrics.
     */
    static Handler timed(ServerMetrics metrics, String endpoint, Handler handler) {
        return (req, res) -> {
            long start = System.nanoTime();
            try {
                handler.handle(req, res);
            } catch (ApiError e) {
                error(res, e);
            } catch (Exception e) {
                System.getLogger(Responses.class.getName()).log(System.Logger.Level.ERROR, "request failed", e);
                error(res, new ApiError(500, "server_error", null, "internal error: " + e));
            } finally {
                metrics.request(endpoint, res.status().code(), System.nanoTime() - start);
            }
        };
    }
}
