package dev.vane.server;

import dev.vane.engine.text.Snippet;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The steering playground and the API's description, static files inside the server's jar:
 * {@code GET /} (the page), {@code GET /playground/{file}} (its scripts and style sheet) and
 * {@code GET /openapi} (the OpenAPI 3 document of the public routes, YAML). Every file is read
 * once, at start; nothing is fetched from elsewhere, and the page's content security policy
 * lets it talk to this server only.
 */
final class PlaygroundService implements HttpService {

    /** The page may load its own script, style and images and call this server's API, nothing else. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private record Asset(String contentType, byte[] bytes) {}

    private static final String ROOT = "/dev/vane/server/playground/";

    private final Asset page = read("index.html", "text/html; charset=utf-8");
    private final Map<String, Asset> assets = Map.of(
            "app.js", read("app.js", "text/javascript; charset=utf-8"),
            "api.js", read("api.js", "text/javascript; charset=utf-8"),
            "style.css", read("style.css", "text/css; charset=utf-8"));
    private final Asset openapi = read("/dev/vane/server/openapi.yaml", "application/yaml; charset=utf-8");

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> send(res, page))
                .get("/playground/{file}", this::asset)
                .get("/openapi", (req, res) -> send(res, openapi));
    }

    private void asset(ServerRequest req, ServerResponse res) {
        Asset a = assets.get(req.path().pathParameters().get("file"));
        if (a == null) {
            res.status(Status.NOT_FOUND_404);
            Responses.json(res, Responses.errorBody(new ApiError(404, "invalid_request_error", null,
                    "no playground file " + Snippet.of(req.path().pathParameters().get("file")))));
            return;
        }
        send(res, a);
    }

    private static void send(ServerResponse res, Asset a) {
        res.header(HeaderNames.CONTENT_TYPE, a.contentType());
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        res.header(HeaderNames.create("Content-Security-Policy"), CONTENT_SECURITY_POLICY);
        res.send(a.bytes());
    }

    private static Asset read(String name, String contentType) {
        String path = name.startsWith("/") ? name : ROOT + name;
        try (InputStream in = PlaygroundService.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("the server's jar lacks " + path);
            return new Asset(contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path + " from the server's jar", e);
        }
    }
}
