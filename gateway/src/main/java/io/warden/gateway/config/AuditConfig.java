package io.warden.gateway.config;

import io.warden.audit.AuditLog;
import io.warden.audit.FileSinkConfig;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Auditing: how the gateway waits for its audit trail and where the trail goes. At least one sink is configured.
 *
 * @param mode          best-effort (never slows traffic; dropped events are counted) or fail-closed (nothing reaches a
 *                      broker, and no fetched records reach a client, before their event is durably written)
 * @param queueCapacity events waiting to be written before best-effort drops and fail-closed refuses
 * @param maxBatch      most events written and flushed together
 * @param file          the hash-chained, signed JSON-lines file sink, or null
 * @param stdout        whether events are also printed as JSON lines on standard output
 * @param kafka         the Kafka topic sink, or null
 * @param queueMaxBytes the most memory queued events may hold (estimated), beside the count
 */
public record AuditConfig(AuditLog.Mode mode, int queueCapacity, int maxBatch, FileSinkConfig file, boolean stdout,
                          KafkaSinkConfig kafka, long queueMaxBytes) {

    public static final int DEFAULT_QUEUE_CAPACITY = 65_536;
    public static final int DEFAULT_MAX_BATCH = 1024;

    /** With the default byte budget for the queue. */
    public AuditConfig(AuditLog.Mode mode, int queueCapacity, int maxBatch, FileSinkConfig file, boolean stdout,
                       KafkaSinkConfig kafka) {
        this(mode, queueCapacity, maxBatch, file, stdout, kafka, AuditLog.DEFAULT_MAX_QUEUED_BYTES);
    }

    public AuditConfig {
        Objects.requireNonNull(mode, "mode");
        if (file == null && !stdout && kafka == null) {
            throw new IllegalArgumentException("at least one audit sink is needed");
        }
    }

    /**
     * A Kafka topic as audit sink: the same cluster as the gateway's upstream or a separate audit cluster.
     *
     * @param properties further Kafka producer settings, such as {@code security.protocol}
     */
    public record KafkaSinkConfig(List<String> bootstrapServers, String topic, Map<String, String> properties) {
        public KafkaSinkConfig {
            bootstrapServers = List.copyOf(bootstrapServers);
            properties = Map.copyOf(properties);
        }
    }
}
