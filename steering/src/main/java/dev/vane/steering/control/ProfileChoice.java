package dev.vane.steering.control;

/**
 * Which profile a request runs ({@code vane.profile}): the server's default profile (when the
 * field is absent), none ({@code "none"}, a name no profile may take), or one by name.
 */
public sealed interface ProfileChoice {

    /** The server's default profile, if one is set. */
    record Default() implements ProfileChoice {}

    /** No profile, even when the server has a default one. */
    record None() implements ProfileChoice {}

    /** The profile {@code name}. */
    record Named(String name) implements ProfileChoice {}

    ProfileChoice DEFAULT = new Default();
    ProfileChoice NONE = new None();

    /** The word that asks for no profile. */
    String NONE_WORD = "none";

    /** {@code "none"} or a profile's name. */
    static ProfileChoice of(String value) {
        return value.equals(NONE_WORD) ? NONE : new Named(value);
    }
}
