package dev.vane.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * A bearer-token gate, registered before the routes it guards: 401 with a
 * {@code WWW-Authenticate} challenge and OpenAI's error body unless the request carries
 * {@code Authorization: Bearer <token>}. Tokens are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual}, so the time taken tells nothing of the token, its length included.
 */
final class BearerAuth implements HttpService {

    private final byte[] expected;
    private final String realm;
    private final String what;
    private final List<String> paths;

    /**
     * @param token the token
     * @param realm the challenge's realm
     * @param what  what needs the token, for the error message ("admin", "API")
     * @param paths the path patterns guarded ({@code /v1}, {@code /v1/*})
     */
    BearerAuth(String token, String realm, String what, List<String> paths) {
        this.expected = digest("Bearer " + token);
        this.realm = realm;
        this.what = what;
        this.paths = paths;
    }

    /** The public routes the API key guards: every {@code /v1} route and the tokenizer routes. */
    static final List<String> API_PATHS = List.of("/v1", "/v1/*", "/tokenize", "/detokenize");

    /** Whether the API key guards {@code path} (a route's path template). */
    static boolean guardsApi(String path) {
        return path.startsWith("/v1/") || API_PATHS.contains(path);
    }

    /** The admin API's gate: every {@code /admin} route. */
    static BearerAuth admin(String token) {
        return new BearerAuth(token, "vane-admin", "admin", List.of("/admin", "/admin/*"));
    }

    /** The public API's gate: every {@code /v1} route and the tokenizer routes; health, metrics, {@code /version}, the playground and {@code /openapi} stay open. */
    static BearerAuth api(String key) {
        return new BearerAuth(key, "vane", "API", API_PATHS);
    }

    @Override
    public void routing(HttpRules rules) {
        for (String p : paths) rules.any(p, this::authenticate);
    }

    /** Whether an {@code Authorization} header value (empty: none) carries the token; gRPC's gate asks this too. */
    boolean accepts(String authorization) {
        return MessageDigest.isEqual(digest(authorization), expected);
    }

    private void authenticate(ServerRequest req, ServerResponse res) {
        if (accepts(req.headers().first(HeaderNames.AUTHORIZATION).orElse(""))) {
            res.next();
            return;
        }
        res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"" + realm + "\"");
        Responses.error(res, new ApiError(401, "authentication_error", null, "invalid_api_key",
                "a valid " + what + " bearer token is required (Authorization: Bearer ...)", 0));
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e); // every JDK has it
        }
    }
}
