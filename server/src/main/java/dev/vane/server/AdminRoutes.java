package dev.vane.server;

import dev.vane.engine.schedule.QueueFullException;
import dev.vane.steering.control.ControlException;
import dev.vane.steering.control.SteeringControl;
import dev.vane.steering.plan.PlanException;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.function.Consumer;

/**
 * What the admin services share: the mapping of steering's refusals to HTTP errors, the caller's
 * name for the change log, and the change log itself (a log line and
 * {@code vane_admin_changes_total{what}} per change, whatever made it).
 */
final class AdminRoutes {

    private static final System.Logger LOG = System.getLogger("vane.admin");

    private AdminRoutes() {}

    interface Route {
        void handle(ServerRequest req, ServerResponse res) throws Exception;
    }

    /**
     * Wraps an admin route: {@link ApiError}s as they are, {@link PlanException}s and INVALID
     * {@link ControlException}s as 400, NOT_FOUND as 404, CONFLICT as 409, a full queue as 429,
     * anything else as a logged 500.
     */
    static Handler handle(Route r) {
        return (req, res) -> {
            try {
                r.handle(req, res);
            } catch (ApiError e) {
                Responses.error(res, e);
            } catch (PlanException e) {
                Responses.error(res, ApiError.invalid(e.field(), e.getMessage()));
            } catch (ControlException e) {
                Responses.error(res, error(e, "body"));
            } catch (QueueFullException e) {
                Responses.error(res, ApiError.queueFull(e.getMessage(), e.retryAfterSeconds()));
            } catch (Exception e) {
                LOG.log(System.Logger.Level.ERROR, "admin request failed", e);
                Responses.error(res, new ApiError(500, "server_error", null, "internal error: " + e));
            }
        };
    }

    /** The HTTP error for a refusal; {@code wholeInput} names the parameter of a refusal without a field. */
    static ApiError error(ControlException e, String wholeInput) {
        int status = switch (e.problem()) {
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
        };
        return new ApiError(status, "invalid_request_error", e.field().orElse(wholeInput), e.getMessage());
    }

    /** Who made a change, as the change log names them. */
    static String who(ServerRequest req) {
        return "admin@" + req.remotePeer().address();
    }

    /** The listener for every admin change (steering, profiles, layer skipping, artifacts): logged and counted. */
    static Consumer<SteeringControl.Change> changeLog(ServerMetrics metrics) {
        return c -> {
            LOG.log(System.Logger.Level.INFO, "admin change by " + c.who() + " at " + c.when() + ": " + c.what());
            metrics.adminChange(c.kind());
        };
    }
}
