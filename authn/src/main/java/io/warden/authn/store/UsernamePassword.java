package io.warden.authn.store;

import java.util.Objects;

/**
 * A user name and its plaintext password as read from one Secrets Manager secret, for the rare caller that must
 * present the password itself (the gateway's own identity towards the upstream cluster). {@link #toString()} leaves
 * the password out so the value can be logged or shown in an exception without leaking it.
 */
public record UsernamePassword(String username, String password) {

    public UsernamePassword {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
        return "UsernamePassword[username=" + username + ", password=(redacted)]";
    }
}
