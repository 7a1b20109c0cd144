package io.warden.certs;

import java.util.regex.Pattern;

/**
 * How a message names the environment variable a setting reads a secret from. A value that does not look like a
 * variable's name (upper-case letters, digits and underscores, not starting with a digit) may be the secret itself,
 * put where the name of its variable belongs, so it is never shown.
 */
public final class SecretVariableNames {

    private static final Pattern CONVENTIONAL_NAME = Pattern.compile("[A-Z_][A-Z0-9_]*");

    private SecretVariableNames() {
    }

    /** {@code environment variable NAME}, or, for a value that may be a secret, words that do not show it. */
    public static String describe(String name) {
        return name != null && CONVENTIONAL_NAME.matcher(name).matches() ? "environment variable " + name
                : "the environment variable named (its name, which does not look like one and may be a secret, is not shown)";
    }
}
