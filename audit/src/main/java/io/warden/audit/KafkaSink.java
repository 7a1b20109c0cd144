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

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final List<Future<RecordMetadata>> pending = new ArrayList<>();

    /**
     * @param producerConfig producer settings, at least {@code bootstrap.servers}; serializers, {@code acks=all} and
     *                       idempotence are set here
     */
    public KafkaSink(String topic, Properties producerConfig) {
        this.topic = topic;
        Properties p = new Properties();
        p.putAll(producerConfig);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "warden-audit");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
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
