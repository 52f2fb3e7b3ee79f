package dev.vane.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerResponse;

import java.io.UncheckedIOException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sending JSON bodies and OpenAI error bodies; timing handlers into the request metric; what the
 * client and the log get when a handler fails.
 */
final class Responses {

    private static final System.Logger LOG = System.getLogger(Responses.class.getName());

    private Responses() {}

    /** Sends a JSON body; a client that went away is a {@link ClientGone}. */
    static void json(ServerResponse res, JsonNode body) {
        try {
            res.header(HeaderNames.CONTENT_TYPE, "application/json").send(body.toString());
        } catch (UncheckedIOException e) {
            throw new ClientGone("writing the response", e);
        }
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
        if (e.closesConnection()) res.header(HeaderNames.CONNECTION, "close");
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
     * The answer to an exception no route expected: the client gets a 500 that names no class,
     * path or message, only a reference; the log gets the reference with the stack trace.
     */
    static ApiError unexpected(System.Logger log, String route, Throwable e) {
        String ref = String.format("%08x", ThreadLocalRandom.current().nextInt());
        log.log(System.Logger.Level.ERROR, route + " failed (ref " + ref + ")", e);
        return ApiError.internal(ref);
    }

    /**
     * Logs a client that went away, as one line, and closes the exchange: Helidon wants every
     * route to send, so an answer goes out if nothing has (a 400: the request ended early), and
     * fails quietly on a closed socket.
     */
    static void clientGone(System.Logger log, String route, ClientGone e, ServerResponse res) {
        log.log(System.Logger.Level.INFO, e.logLine(route));
        if (res.isSent()) return;
        try {
            error(res, ApiError.framing(400, "the request body ended before its declared end"));
        } catch (RuntimeException ignored) {
            // the connection is gone; Helidon closes it
        }
    }

    /**
     * Wraps a route handler: {@link ApiError}s become error bodies, a client that went away one
     * log line, anything else a 500 with an OpenAI {@code server_error} body; the request's
     * duration and status (499 for a client that went away) go to the metrics.
     */
    static Handler timed(ServerMetrics metrics, String endpoint, Handler handler) {
        return (req, res) -> {
            long start = System.nanoTime();
            boolean gone = false;
            try {
                handler.handle(req, res);
            } catch (ApiError e) {
                gone = !sendQuietly(res, e);
            } catch (ClientGone e) {
                gone = true;
                clientGone(LOG, endpoint, e, res);
            } catch (Exception e) {
                gone = !sendQuietly(res, unexpected(LOG, endpoint, e));
            } finally {
                metrics.request(endpoint, gone ? ClientGone.STATUS : res.status().code(), System.nanoTime() - start);
            }
        };
    }

    /** Sends an error body; false (logged as one line) when the client has gone. */
    static boolean sendQuietly(ServerResponse res, ApiError e) {
        try {
            error(res, e);
            return true;
        } catch (ClientGone g) {
            LOG.log(System.Logger.Level.INFO, g.logLine("error response " + e.status()));
            return false;
        }
    }
}
