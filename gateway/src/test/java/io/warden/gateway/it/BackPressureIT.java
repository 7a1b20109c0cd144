package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import io.warden.gateway.config.LimitsConfig;
import io.warden.gateway.protocol.SupportedApis;
import io.warden.gateway.proxy.GatewayStats;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
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

    /**
     * A request the broker holds (a Fetch that waits for data), then a stream of requests the gateway answers itself:
     * no more of them are read than {@link LimitsConfig#MAX_REQUESTS_IN_FLIGHT} requests waiting for answers allow — as a
     * broker reads nothing more from a connection until it answered its request — and once the broker answers, every
     * one of them is read and answered, in order.
     */
    @Test
    void requestsWaitingBehindOneTheBrokerHoldsAreBoundedAndAnsweredInOrder() throws Exception {
        String topic = Clients.createTopic(gateway.admin(), 1); // empty: the Fetch waits its whole max wait
        int pipelined = 5 * LimitsConfig.MAX_REQUESTS_IN_FLIGHT;
        short unknown = (short) (SupportedApis.maxVersion(ApiKeys.API_VERSIONS) + 1);
        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
            long answeredBefore = answeredApiVersions();
            short version = 12;
            FetchRequestData fetch = new FetchRequestData()
                    .setReplicaId(-1).setMaxWaitMs(5_000).setMinBytes(FETCH_BYTES).setMaxBytes(FETCH_BYTES).setIsolationLevel((byte) 0);
            fetch.topics().add(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                    new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                            .setPartitionMaxBytes(FETCH_BYTES).setLogStartOffset(-1).setCurrentLeaderEpoch(-1))));
            int fetchId = c.send(ApiKeys.FETCH, version, fetch);
            // ApiVersions at a version newer than the gateway's, which it answers itself (v0, UNSUPPORTED_VERSION)
            for (int i = 0; i < pipelined; i++) {
                RawKafkaConnection.Frame.send(c, ApiKeys.API_VERSIONS, unknown, fetchId + 1 + i, new byte[] {0, 0, 0});
            }
            await().atMost(Duration.ofSeconds(4)).until(() -> answeredApiVersions() - answeredBefore >= LimitsConfig.MAX_REQUESTS_IN_FLIGHT - 1);
            Thread.sleep(300);
            // the Fetch and the answers queued behind it fill the connection's requests in flight: nothing more is read
            assertThat(answeredApiVersions() - answeredBefore).isEqualTo(LimitsConfig.MAX_REQUESTS_IN_FLIGHT - 1);

            FetchResponseData r = c.receive(ApiKeys.FETCH, version, fetchId, in -> new FetchResponseData(in, version));
            assertThat(r.responses().get(0).partitions().get(0).errorCode()).isZero();
            for (int i = 0; i < pipelined; i++) {
                ByteBuffer body = c.receive((short) 0, fetchId + 1 + i);
                assertThat(new ApiVersionsResponseData(new ByteBufferAccessor(body), (short) 0).errorCode())
                        .isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            }
            assertThat(answeredApiVersions() - answeredBefore).isEqualTo(pipelined);
        }
    }

    private static long answeredApiVersions() {
        return gateway.server().stats().requests(ApiKeys.API_VERSIONS, GatewayStats.Outcome.ANSWERED);
    }
}
