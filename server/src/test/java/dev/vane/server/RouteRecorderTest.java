package dev.vane.server;

import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The recorder notes every route a service registers by method and path template, once, on the
 * listener it was given, and refuses a route it could not name rather than let it pass unrecorded.
 */
class RouteRecorderTest {

    private static final Handler OK = (req, res) -> res.send();

    private static void routing(RouteRecorder recorder, Route.Listener listener, HttpService... services) {
        HttpRouting.Builder rules = HttpRouting.builder();
        for (HttpService s : recorder.recording(listener, services)) s.routing(rules);
    }

    @Test
    void recordsEachMethodAndPathTemplateOnItsListener() {
        RouteRecorder recorder = new RouteRecorder();
        routing(recorder, Route.Listener.PUBLIC, rules -> rules.get("/a", OK).post("/a", OK), rules -> rules.put("/b/{name}", OK));
        routing(recorder, Route.Listener.ADMIN, rules -> rules.delete("/b/{name}", OK)
                .route(io.helidon.http.Method.PATCH, "/c", OK));
        assertThat(recorder.routes()).containsExactly(
                new Route(Route.Listener.PUBLIC, Route.Method.GET, "/a"),
                new Route(Route.Listener.PUBLIC, Route.Method.POST, "/a"),
                new Route(Route.Listener.PUBLIC, Route.Method.PUT, "/b/{name}"),
                new Route(Route.Listener.ADMIN, Route.Method.DELETE, "/b/{name}"),
                new Route(Route.Listener.ADMIN, Route.Method.PATCH, "/c"));
    }

    /** A listener that is replaced registers its routes again: they are kept once. */
    @Test
    void aRouteRegisteredAgainIsKeptOnce() {
        RouteRecorder recorder = new RouteRecorder();
        HttpService service = rules -> rules.get("/a", OK);
        routing(recorder, Route.Listener.PUBLIC, service);
        routing(recorder, Route.Listener.PUBLIC, service);
        assertThat(recorder.routes()).containsExactly(new Route(Route.Listener.PUBLIC, Route.Method.GET, "/a"));
    }

    @Test
    void aServiceRegisteredByAServiceIsRecordedToo() {
        RouteRecorder recorder = new RouteRecorder();
        HttpService inner = rules -> rules.get("/inner", OK);
        // Helidon calls the nested service's routing when the routing is built
        HttpRouting.Builder b = HttpRouting.builder();
        for (HttpService s : recorder.recording(Route.Listener.ADMIN, rules -> rules.register(inner))) b.register(s);
        b.build();
        assertThat(recorder.routes()).containsExactly(new Route(Route.Listener.ADMIN, Route.Method.GET, "/inner"));
    }

    @Test
    void aRouteWithoutAMethodAndPathTemplateIsRefused() {
        RouteRecorder recorder = new RouteRecorder();
        assertThatThrownBy(() -> routing(recorder, Route.Listener.PUBLIC, rules -> rules.any("/x", OK)))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("method and path template");
        assertThatThrownBy(() -> routing(recorder, Route.Listener.PUBLIC, rules -> rules.get(OK)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> routing(recorder, Route.Listener.PUBLIC, rules -> rules.register("/prefix", r -> r.get("/x", OK))))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("/prefix");
        assertThat(recorder.routes()).isEmpty();
    }
}
