package io.warden.gateway.config;

import java.time.Duration;
import java.util.List;

/**
 * The Kafka cluster behind the gateway.
 *
 * @param bootstrapServers brokers tried in turn for bootstrap connections, so one broker down is not an outage
 * @param connectTimeout   how long one TCP connect to a broker may take
 * @param metadataTimeout  how long the gateway's own metadata lookups (node addresses, topic names) may take
 */
public record UpstreamConfig(List<HostPort> bootstrapServers, Duration connectTimeout, Duration metadataTimeout) {

    public UpstreamConfig {
        bootstrapServers = List.copyOf(bootstrapServers);
    }
}
