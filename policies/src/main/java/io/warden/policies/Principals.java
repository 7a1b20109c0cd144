package io.warden.policies;

/**
 * Principals as Kafka writes them, {@code User:alice}. Warden authenticates users only (by certificate, SASL or
 * token), and Kafka compares principals as exact strings, so anything that could never match is refused here
 * rather than discovered as a mysterious denial.
 */
final class Principals {

    static final String USER_PREFIX = "User:";

    private Principals() {
    }

    /** Why {@code principal} can never match a client, or null when it is fine. */
    static String problem(String principal) {
        int colon = principal.indexOf(':');
        if (colon < 0) {
            String hint = principal.contains("=")
                    ? " (a certificate name with commas must be quoted as a whole: \"User:CN=app,OU=team\")"
                    : "";
            return "principal '" + principal + "' must be Type:name, e.g. User:alice" + hint;
        }
        String type = principal.substring(0, colon);
        String name = principal.substring(colon + 1);
        if (!type.equals("User")) {
            return "principal '" + principal + "' has type '" + type
                    + "'; Warden's clients are User principals (the type is case-sensitive), e.g. User:alice";
        }
        if (name.isEmpty()) {
            return "principal '" + principal + "' has no name after 'User:'";
        }
        if (!name.strip().equals(name)) {
            return "principal '" + principal + "' has spaces at the start or end of its name";
        }
        return null;
    }
}
