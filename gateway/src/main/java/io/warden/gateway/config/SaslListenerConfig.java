package io.warden.gateway.config;

import java.util.List;

/**
 * SASL on a listener: clients must authenticate with one of these mechanisms before any other request than
 * ApiVersions. On a TLS listener this is Kafka's SASL_SSL; without TLS (SASL_PLAINTEXT) only when
 * {@code allowPlaintext} is set, and never with PLAIN, whose password would cross the network in clear.
 *
 * @param mechanisms     the mechanisms offered, in the order listed in SaslHandshake answers
 * @param allowPlaintext whether this listener may run without TLS
 */
public record SaslListenerConfig(List<String> mechanisms, boolean allowPlaintext) {

    /** Every mechanism the gateway can terminate. */
    public static final List<String> KNOWN_MECHANISMS = List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN", "OAUTHBEARER");

    public SaslListenerConfig {
        mechanisms = List.copyOf(mechanisms);
    }
}
