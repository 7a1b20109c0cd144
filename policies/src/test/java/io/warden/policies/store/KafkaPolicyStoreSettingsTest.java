package io.warden.policies.store;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The producer settings the store's promises rest on; no broker is needed to check them. */
class KafkaPolicyStoreSettingsTest {

    private static Map<String, Object> producer(Duration timeout, Map<String, String> clientProperties) {
        KafkaPolicyStore.Settings settings = KafkaPolicyStore.Settings.of("localhost:1").withTimeout(timeout)
                .withClientProperties(clientProperties);
        Map<String, Object> props = KafkaPolicyStore.producerProperties(settings, "warden-policy-test");
        // The producer checks delivery.timeout.ms >= linger.ms + request.timeout.ms when it is built.
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()).close(Duration.ZERO);
        return props;
    }

    /**
     * A change apply reports as failed must not be written afterwards: the producer gives a record up when the
     * store's timeout has passed, instead of retrying it for its default two minutes.
     */
    @Test
    void theProducerGivesARecordUpWithinTheStoresTimeoutWhateverTheClientPropertiesSay() {
        Map<String, Object> five = producer(Duration.ofSeconds(5), Map.of("delivery.timeout.ms", "120000"));
        assertThat(five).containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5_000)
                .containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);

        Map<String, Object> twoMinutes = producer(Duration.ofMinutes(2), Map.of());
        assertThat(twoMinutes).containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000)
                .containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
    }
}
