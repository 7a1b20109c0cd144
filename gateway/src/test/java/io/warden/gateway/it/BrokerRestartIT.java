package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.api.TerminationStyle;
import io.kroxylicious.testing.kafka.common.BrokerCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A broker stopped and restarted under a running producer and consumer: the gateway keeps serving, the clients
 * ride through on Kafka's own retries, and once the broker is back its gateway port reaches it again.
 */
@ExtendWith(KafkaClusterExtension.class)
class BrokerRestartIT {

    @BrokerCluster(numBrokers = 3)
    static KafkaCluster cluster;

    @Test
    void clientsRecoverWhenABrokerRestarts() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(cluster.getBootstrapServers());
             Admin admin = Clients.admin(gateway.bootstrap())) {
            String topic = "restart";
            // Node 2 is a broker only (node 0 hosts the controller), and leads partition 2.
            Clients.createTopicLedByEachNode(admin, topic);

            Set<String> acked = ConcurrentHashMap.newKeySet();
            Set<String> consumed = ConcurrentHashMap.newKeySet();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicBoolean producerDone = new AtomicBoolean(false);

            Thread producerThread = new Thread(() -> {
                try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of(
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000))) {
                    int i = 0;
                    while (running.get()) {
                        String value = "r-" + i++;
                        producer.send(new ProducerRecord<>(topic, value), (md, err) -> {
                            if (err == null) {
                                acked.add(value);
                            } else {
                                failures.add(err);
                            }
                        });
                        Thread.sleep(5);
                    }
                    producer.flush();
                } catch (Exception e) {
                    failures.add(e);
                }
            }, "restart-producer");

            Thread consumerThread = new Thread(() -> {
                try (KafkaConsumer<String, String> consumer = Clients.consumer(gateway.bootstrap(), Map.of(
                        ConsumerConfig.GROUP_ID_CONFIG, "restart-group"))) {
                    consumer.subscribe(List.of(topic));
                    long deadline = Long.MAX_VALUE;
                    // Stop only once the producer has finished and everything it had acknowledged arrived.
                    while (!(producerDone.get() && consumed.containsAll(acked)) && System.currentTimeMillis() < deadline) {
                        consumer.poll(Duration.ofMillis(200)).forEach(r -> consumed.add(r.value()));
                        consumer.commitAsync();
                        if (producerDone.get() && deadline == Long.MAX_VALUE) {
                            deadline = System.currentTimeMillis() + 60_000;
                        }
                    }
                } catch (Exception e) {
                    failures.add(e);
                }
            }, "restart-consumer");

            producerThread.start();
            consumerThread.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> consumed.size() > 100);

            cluster.stopNodes(id -> id == 2, TerminationStyle.ABRUPT);
            int ackedAtStop = acked.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() > ackedAtStop + 200);

            cluster.startNodes(id -> id == 2);
            // Give leadership back to node 2, so traffic must go through its gateway port again.
            Clients.awaitPreferredLeader(admin, new TopicPartition(topic, 2), 2);
            int ackedAtRestart = acked.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() > ackedAtRestart + 200);

            running.set(false);
            producerThread.join(60_000);
            producerDone.set(true);
            consumerThread.join(90_000);

            assertThat(failures).isEmpty();
            assertThat(consumed).containsAll(acked);
            try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of())) {
                assertThat(producer.send(new ProducerRecord<>(topic, 2, null, "to-node-2")).get(30, TimeUnit.SECONDS).offset())
                        .isNotNegative();
            }
        }
    }
}
