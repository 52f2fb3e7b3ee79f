package dev.vane.server;

import dev.vane.engine.text.Snippet;
import dev.vane.steering.artifact.StorageException;

/**
 * A request that cannot be served, reported as an OpenAI error body
 * {@code {"error": {"message", "type", "param", "code"}}} with an HTTP status.
 */
public final class ApiError extends RuntimeException {

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final int retryAfterSeconds;
    private final boolean closesConnection;

    public ApiError(int status, String type, String param, String code, String message, int retryAfterSeconds) {
        this(status, type, param, code, message, retryAfterSeconds, false);
    }

    private ApiError(int status, String type, String param, String code, String message, int retryAfterSeconds,
                     boolean closesConnection) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
        this.closesConnection = closesConnection;
    }

    public ApiError(int status, String type, String param, String message) {
        this(status, type, param, null, message, 0);
    }

    /** 400: a field is missing, of the wrong type, out of range or unknown. */
    public static ApiError invalid(String param, String message) {
        return new ApiError(400, "invalid_request_error", param, message);
    }

    /** 400: a field this server recognises but cannot honour yet. */
    public static ApiError unsupported(String param, String what) {
        return new ApiError(400, "invalid_request_error", param, "unsupported_parameter",
                what + " is not supported yet", 0);
    }

    /** 400: the body is not a JSON object. */
    public static ApiError malformed(String message) {
        return new ApiError(400, "invalid_request_error", null, message);
    }

    /**
     * 400, 408 or 413: the request body's framing is broken or it stalled; the connection closes
     * after the answer, as nothing after the broken part can be read as a request.
     */
    public static ApiError framing(int status, String message) {
        return new ApiError(status, "invalid_request_error", null, null, message, 0, true);
    }

    /**
     * 400 with code {@code not_found}: the request names an artifact or a profile that does not
     * exist (REST keeps 400, as for any bad field; gRPC answers {@code NOT_FOUND}).
     */
    public static ApiError notFound(String param, String message) {
        return new ApiError(400, "invalid_request_error", param, "not_found", message, 0);
    }

    /** 404: the request names a model this server does not serve. */
    public static ApiError modelNotFound(String model) {
        return new ApiError(404, "invalid_request_error", "model", "model_not_found",
                "The model '" + Snippet.of(model) + "' does not exist", 0);
    }

    /** 413: the prompt leaves no room to generate within the context. */
    public static ApiError contextExceeded(String message) {
        return new ApiError(413, "invalid_request_error", "prompt", "context_length_exceeded", message, 0);
    }

    /** 429: the waiting queue is full. */
    public static ApiError queueFull(String message, int retryAfterSeconds) {
        return new ApiError(429, "requests", null, "rate_limit_exceeded", message, Math.max(1, retryAfterSeconds));
    }

    /**
     * 507 or 503: the artifact registry could not be changed, so nothing was. The message says
     * which kind of failure without naming paths (the log has them).
     */
    public static ApiError storage(StorageException.Kind kind) {
        return switch (kind) {
            case FULL -> new ApiError(507, "server_error", null, "insufficient_storage",
                    "the artifact registry is out of disk space; nothing was changed", 0);
            case READ_ONLY -> new ApiError(503, "server_error", null, "storage_unavailable",
                    "the artifact registry is read-only; nothing was changed", 0);
            case FAILED -> new ApiError(503, "server_error", null, "storage_unavailable",
                    "the artifact registry failed with an I/O error; nothing was changed", 0);
        };
    }

    /** 500: a failure of the server itself; {@code ref} finds its log line, which has the cause. */
    public static ApiError internal(String ref) {
        return new ApiError(500, "server_error", null, null,
                "internal error (ref " + ref + "); the server log has the details", 0);
    }

    public int status() { return status; }
    public String type() { return type; }
    public String param() { return param; }
    public String code() { return code; }
    /** Seconds for a {@code Retry-After} header, or 0 for none. */
    public int retryAfterSeconds() { return retryAfterSeconds; }
    /** Whether the answer ends the connection ({@code Connection: close}). */
    public boolean closesConnection() { return closesConnection; }
}
