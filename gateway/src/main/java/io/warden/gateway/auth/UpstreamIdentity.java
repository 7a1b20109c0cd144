package io.warden.gateway.auth;

/**
 * The gateway's own SASL identity on the brokers, with its password resolved (from the configuration, the
 * environment or Secrets Manager). {@code toString()} never shows the password.
 */
public record UpstreamIdentity(String mechanism, String username, String password) {

    /** The JAAS line for a Kafka client (the gateway's Admin client) logging in as this identity. */
    public String jaasConfig() {
        String module = mechanism.equals("PLAIN")
                ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module + " required username=\"" + quote(username) + "\" password=\"" + quote(password) + "\";";
    }

    private static String quote(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public String toString() {
        return "UpstreamIdentity[mechanism=" + mechanism + ", username=" + username + ", password=****]";
    }
}
