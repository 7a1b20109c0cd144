package io.warden.gateway.config;

import java.time.Duration;
import java.util.List;

/**
 * The Kafka cluster behind the gateway.
 *
 * @param bootstrapServers brokers tried in turn for bootstrap connections, so one broker down is not an outage
 * @param connectTimeout   how long one TCP connect to a broker may take
 * @param metadataTimeout  how long the gateway's own metadata lookups (node addresses, topic names) may take
 * @param tls              TLS to the brokers, or null for plaintext
 * @param sasl             the gateway's own SASL login to the brokers, or null when they need none
 */
public record UpstreamConfig(List<HostPort> bootstrapServers, Duration connectTimeout, Duration metadataTimeout,
                             UpstreamTlsConfig tls, UpstreamSaslConfig sasl) {

    public UpstreamConfig {
        bootstrapServers = List.copyOf(bootstrapServers);
    }

    /** No SASL to the brokers. */
    public UpstreamConfig(List<HostPort> bootstrapServers, Duration connectTimeout, Duration metadataTimeout,
                          UpstreamTlsConfig tls) {
        this(bootstrapServers, connectTimeout, metadataTimeout, tls, null);
    }

    /** Plaintext to the brokers. */
    public UpstreamConfig(List<HostPort> bootstrapServers, Duration connectTimeout, Duration metadataTimeout) {
        this(bootstrapServers, connectTimeout, metadataTimeout, null, null);
    }
}
