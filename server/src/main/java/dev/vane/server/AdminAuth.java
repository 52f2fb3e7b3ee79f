package dev.vane.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin port's gate, registered before the admin routes: 401 with a {@code WWW-Authenticate}
 * challenge unless the request carries the configured bearer token (compared in constant time).
 */
final class AdminAuth implements HttpService {

    private final byte[] expected;

    AdminAuth(String token) {
        this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.any("/admin", this::authenticate).any("/admin/*", this::authenticate);
    }

    private void authenticate(ServerRequest req, ServerResponse res) {
        byte[] given = req.headers().first(HeaderNames.AUTHORIZATION).orElse("").getBytes(StandardCharsets.UTF_8);
        if (MessageDigest.isEqual(given, expected)) {
            res.next();
            return;
        }
        res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"vane-admin\"");
        Responses.error(res, new ApiError(401, "authentication_error", null, "invalid_api_key",
                "a valid admin bearer token is required", 0));
    }
}
