package dev.vane.server;

/**
 * Settings this machine cannot serve with, found once the model is loaded (a KV cache of
 * {@code --slots × --context} beyond memory, a gRPC port already taken): like a bad flag value, a
 * usage error, and the message names the settings and the numbers.
 */
public final class SettingsException extends IllegalArgumentException {

    SettingsException(String message, Throwable cause) {
        super(message, cause);
    }
}
