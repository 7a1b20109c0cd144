package io.warden.audit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Writes each event to a Kafka topic, on the audited cluster or a separate audit cluster, keyed by principal so
 * one principal's events stay in order. Acknowledged by all in-sync replicas before {@link #flush()} returns.
 */
public final class KafkaSink implements AuditSink {

    /**
     * How long the sink waits on the audit cluster by default: for metadata or buffer space in a send
     * ({@code max.block.ms}) and for a request's answer ({@code request.timeout.ms}). The single writer thread waits
     * with it, and every other sink behind it, so Kafka's defaults (60 s to block, 120 s to deliver) would stall the
     * whole trail for minutes while the audit cluster is down.
     */
    static final String DEFAULT_WAIT_MS = "5000";

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final List<Future<RecordMetadata>> pending = new ArrayList<>();

    /**
     * @param producerConfig producer settings, at least {@code bootstrap.servers}; serializers, {@code acks=all} and
     *                       idempotence are set here, and unless given, {@code max.block.ms} and
     *                       {@code request.timeout.ms} of {@link #DEFAULT_WAIT_MS} and a {@code delivery.timeout.ms}
     *                       of linger plus request timeout
     */
    public KafkaSink(String topic, Properties producerConfig) {
        this.topic = topic;
        Properties p = new Properties();
        p.putAll(producerConfig);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "warden-audit");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, DEFAULT_WAIT_MS);
        p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, DEFAULT_WAIT_MS);
        // The least delivery timeout the producer accepts: one request's wait after the linger, so no retry outlives it.
        p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(
                Long.parseLong(p.getProperty(ProducerConfig.LINGER_MS_CONFIG).trim())
                        + Long.parseLong(p.getProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG).trim())));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
    }

    @Override
    public void write(List<EncodedEvent> batch) throws IOException {
        try {
            for (EncodedEvent e : batch) {
                String principal = e.event().principal();
                byte[] key = principal == null ? null : principal.getBytes(StandardCharsets.UTF_8);
                pending.add(producer.send(new ProducerRecord<>(topic, key, e.json())));
            }
        } catch (RuntimeException e) {
            pending.clear();
            throw new IOException("audit events not sent to topic " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void flush() throws IOException {
        producer.flush();
        try {
            for (Future<RecordMetadata> f : pending) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IOException("audit events not acknowledged by topic " + topic + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for topic " + topic, e);
        } finally {
            pending.clear();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            producer.close(Duration.ofSeconds(10));
        }
    }

    @Override
    public String name() {
        return "kafka:" + topic;
    }
}
