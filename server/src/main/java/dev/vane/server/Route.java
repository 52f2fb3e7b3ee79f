package dev.vane.server;

import java.util.Objects;

/**
 * A route a listener of the server serves: its listener, its HTTP method and its path template as
 * the service registered it ({@code /admin/profiles/{name}}), which is also how the OpenAPI document
 * at {@code /openapi} writes it. {@link RouteRecorder} records them as the services register.
 */
public record Route(Listener listener, Method method, String path) {

    /** Which listener serves a route. */
    public enum Listener {
        /** The public port ({@code --port}): the API, health, metrics, the playground. */
        PUBLIC,
        /** The admin port ({@code --admin-port}), when an admin token is configured. */
        ADMIN
    }

    /** The HTTP methods a route can be registered for. */
    public enum Method {
        GET, POST, PUT, DELETE, HEAD, OPTIONS, TRACE, PATCH
    }

    public Route {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
    }

    @Override
    public String toString() {
        return method + " " + path + " (" + listener.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
