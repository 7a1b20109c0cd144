package io.warden.gateway.config;

import java.util.List;
import java.util.Map;

/**
 * A policy kept in a compacted Kafka topic, shared by every gateway configured with the same topic, instead of the
 * policy file alone. The policy file then only seeds an empty topic.
 *
 * @param properties further Kafka client settings, such as {@code security.protocol}
 */
public record PolicyStoreConfig(List<String> bootstrapServers, String topic, Map<String, String> properties) {

    public PolicyStoreConfig {
        bootstrapServers = List.copyOf(bootstrapServers);
        properties = Map.copyOf(properties);
    }
}
