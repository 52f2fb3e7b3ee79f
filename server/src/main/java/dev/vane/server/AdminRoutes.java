package dev.vane.server;

import dev.vane.engine.schedule.QueueFullException;
import dev.vane.engine.text.Snippet;
import dev.vane.steering.artifact.ArtifactException;
import dev.vane.steering.artifact.StorageException;
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
     * {@link ControlException}s as 400, NOT_FOUND as 404, CONFLICT as 409, a full queue as 429, a
     * stored artifact that cannot be read as a 500 naming its file (relative to the registry), a
     * registry that cannot be written ({@link StorageException}) as 507 (disk full) or 503
     * (read-only, I/O error) with the detail in the log, a client that went away as one log line,
     * anything else as a logged 500 that names nothing internal.
     */
    static Handler handle(Route r) {
        return (req, res) -> {
            String route = "admin " + req.prologue().method().text() + " " + Snippet.of(req.path().path(), 200);
            try {
                r.handle(req, res);
            } catch (ApiError e) {
                Responses.sendQuietly(res, e);
            } catch (PlanException e) {
                Responses.sendQuietly(res, ApiError.invalid(e.field(), e.getMessage()));
            } catch (ControlException e) {
                Responses.sendQuietly(res, error(e, "body"));
            } catch (QueueFullException e) {
                Responses.sendQuietly(res, ApiError.queueFull(e.getMessage(), e.retryAfterSeconds()));
            } catch (ArtifactException e) {
                // what reaches here is a stored artifact that cannot be read (uploads are refused as
                // ControlExceptions): the server's problem, named relative to the registry
                LOG.log(System.Logger.Level.WARNING, route + ": " + e.getMessage());
                Responses.sendQuietly(res, new ApiError(500, "server_error", "name", "artifact_unreadable",
                        e.getMessage(), 0));
            } catch (StorageException e) {
                LOG.log(System.Logger.Level.WARNING, route + ": " + e.getMessage());
                Responses.sendQuietly(res, ApiError.storage(e.kind()));
            } catch (ClientGone e) {
                Responses.clientGone(LOG, route, e, res);
            } catch (Exception e) {
                Responses.sendQuietly(res, Responses.unexpected(LOG, route, e));
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
