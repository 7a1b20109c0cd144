package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that asks for far more than it reads: the gateway stops reading from the broker instead of buffering
 * the difference, and once the client reads again every response arrives whole and in order.
 */
@ExtendWith(KafkaClusterExtension.class)
class BackPressureIT {

    private static final int FETCH_BYTES = 1024 * 1024;
    private static final int PIPELINED_FETCHES = 40;

    static KafkaCluster cluster;

    @RegisterExtension
    static final GatewayFixture gateway = GatewayFixture.inFrontOf(() -> cluster);

    @Test
    void aClientThatDoesNotReadPausesTheBrokerSideAndLosesNothing() throws Exception {
        String topic = Clients.createTopic(gateway.admin(), 1);
        byte[] value = new byte[8 * 1024];
        try (KafkaProducer<byte[], byte[]> producer = Clients.bytesProducer(gateway.bootstrap(), Map.of())) {
            for (int i = 0; i < 256; i++) { // 2 MiB
                producer.send(new ProducerRecord<>(topic, value));
            }
            producer.flush();
        }
        long pausesBefore = gateway.server().stats().upstreamReadPauses();

        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
            short version = 12; // topics by name
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < PIPELINED_FETCHES; i++) {
                FetchRequestData fetch = new FetchRequestData()
                        .setReplicaId(-1).setMaxWaitMs(0).setMinBytes(1).setMaxBytes(FETCH_BYTES).setIsolationLevel((byte) 0);
                fetch.topics().add(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                        new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                                .setPartitionMaxBytes(FETCH_BYTES).setLogStartOffset(-1).setCurrentLeaderEpoch(-1))));
                ids.add(c.send(ApiKeys.FETCH, version, fetch));
            }
            // 40 MiB of answers are on their way and the client reads none of them.
            await().atMost(Duration.ofSeconds(30)).until(() -> gateway.server().stats().upstreamReadPauses() > pausesBefore);

            for (int id : ids) {
                FetchResponseData r = c.receive(ApiKeys.FETCH, version, id, in -> new FetchResponseData(in, version));
                FetchResponseData.PartitionData p = r.responses().get(0).partitions().get(0);
                assertThat(p.errorCode()).isZero();
                assertThat(p.records().sizeInBytes()).isGreaterThan(FETCH_BYTES / 2);
            }
        }
    }
}
