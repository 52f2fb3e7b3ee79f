package dev.vane.server;

import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRoute;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.WebServer;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The routes the server's listeners really serve, recorded as their services register them, so
 * that a test can hold the OpenAPI document at {@code /openapi} to them. Each service given to
 * {@link #recording} is wrapped: Helidon still registers it as itself (its routes, their order and
 * its lifecycle are unchanged), but the rules it registers its routes on note each
 * {@code get}/{@code post}/{@code put}/{@code delete}/… with its path template. A route that cannot
 * be named by a method and a path template (a route object, a method predicate, {@code any}, a
 * service under a path prefix) is refused when the listener is built, so no route goes unrecorded.
 * A listener that is replaced ({@link dev.vane.server.http.SupervisedListener}) registers the same
 * routes again, which are kept once.
 */
public final class RouteRecorder {

    private final Set<Route> routes = new LinkedHashSet<>();

    /** Every route recorded so far, each once, in the order first registered. */
    public synchronized List<Route> routes() {
        return List.copyOf(routes);
    }

    /** {@code services}, each recording the routes it registers as routes of {@code listener}. */
    HttpService[] recording(Route.Listener listener, HttpService... services) {
        return Arrays.stream(services).map(s -> new Recorded(s, listener)).toArray(HttpService[]::new);
    }

    private synchronized void record(Route route) {
        routes.add(route);
    }

    /** A service whose routes are recorded; otherwise the service itself. */
    private final class Recorded implements HttpService {
        private final HttpService service;
        private final Route.Listener listener;

        Recorded(HttpService service, Route.Listener listener) {
            this.service = service;
            this.listener = listener;
        }

        @Override
        public void routing(HttpRules rules) {
            service.routing(new RecordingRules(rules, listener));
        }

        @Override
        public void beforeStart() {
            service.beforeStart();
        }

        @Override
        public void afterStart(WebServer server) {
            service.afterStart(server);
        }

        @Override
        public void afterStop() {
            service.afterStop();
        }
    }

    /**
     * Helidon's rules for one service, noting each route: every {@code get(path, handler)} and its
     * kin reaches {@link #route(io.helidon.http.Method, String, Handler)}, which records and passes
     * it on; whatever reaches {@link #route(HttpRoute)} has no path template to record.
     */
    private final class RecordingRules implements HttpRules {
        private final HttpRules rules;
        private final Route.Listener listener;

        RecordingRules(HttpRules rules, Route.Listener listener) {
            this.rules = rules;
            this.listener = listener;
        }

        @Override
        public HttpRules route(io.helidon.http.Method method, String path, Handler handler) {
            Route.Method m;
            try {
                m = Route.Method.valueOf(method.text());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("route " + method.text() + " " + path + ": not a method routes are recorded for", e);
            }
            record(new Route(listener, m, path));
            rules.route(method, path, handler);
            return this;
        }

        @Override
        public HttpRules route(HttpRoute route) {
            throw new UnsupportedOperationException("the route recorder records routes registered by method and path "
                    + "template (get, post, put, delete, ...); register " + route + " that way");
        }

        @Override
        public HttpRules register(HttpService... services) {
            rules.register(recording(listener, services));
            return this;
        }

        @Override
        public HttpRules register(String pathPattern, HttpService... services) {
            throw new UnsupportedOperationException("the route recorder does not record services under a path prefix ("
                    + pathPattern + "); register their routes with full paths");
        }
    }
}
