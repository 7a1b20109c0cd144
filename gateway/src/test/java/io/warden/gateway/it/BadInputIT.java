package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.warden.gateway.protocol.SupportedApis;
import io.warden.gateway.proxy.GatewayStats;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bad input on the Kafka port: each case is refused (connection closed, or Kafka's own error answer), the
 * matching upstream connection is closed too, and a bystander connection keeps being served.
 */
@ExtendWith(KafkaClusterExtension.class)
class BadInputIT {

    static KafkaCluster cluster;
    @RegisterExtension
    static final GatewayFixture gateway = GatewayFixture.inFrontOf(() -> cluster);

    private RawKafkaConnection bystander;
    private long baselineClients;
    private long baselineUpstreams;

    @BeforeEach
    void openBystander() throws Exception {
        bystander = connect();
        assertApiVersionsAnswered(bystander);
        GatewayStats stats = stats();
        baselineClients = stats.openClientConnections();
        baselineUpstreams = stats.openUpstreamConnections();
    }

    @AfterEach
    void bystanderStillServedAndNothingLeaked() throws Exception {
        assertApiVersionsAnswered(bystander);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(stats().openClientConnections()).isEqualTo(baselineClients);
            assertThat(stats().openUpstreamConnections()).isEqualTo(baselineUpstreams);
        });
        bystander.close();
        // The next test counts from here: wait until the gateway has seen the bystander go.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(stats().openClientConnections()).isEqualTo(baselineClients - 1));
    }

    @Test
    void negativeSizePrefixClosesTheConnection() throws Exception {
        assertRefused(ByteBuffer.allocate(8).putInt(-5).putInt(0).array());
    }

    @Test
    void sizeAboveTheLimitClosesTheConnectionBeforeTheBodyArrives() throws Exception {
        long refusedBefore = stats().refusedConnections();
        // Only the size prefix is sent: the gateway must not wait for (or buffer) a body this large.
        assertRefused(ByteBuffer.allocate(4).putInt(100 * 1024 * 1024 + 1).array());
        assertThat(stats().refusedConnections()).isGreaterThan(refusedBefore);
    }

    @Test
    void randomBytesCloseTheConnection() throws Exception {
        Random random = new Random(7);
        for (int round = 0; round < 5; round++) {
            byte[] payload = new byte[200 + random.nextInt(800)];
            random.nextBytes(payload);
            ByteBuffer frame = ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload);
            assertRefused(frame.array());
        }
    }

    @Test
    void httpRequestOnTheKafkaPortClosesTheConnection() throws Exception {
        assertRefused("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/8\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void clientDisconnectingMidRequestReleasesItsUpstreamConnection() throws Exception {
        RawKafkaConnection c = connect();
        assertApiVersionsAnswered(c);
        assertThat(stats().openUpstreamConnections()).isEqualTo(baselineUpstreams + 1);
        // Half a frame, then gone.
        c.writeRaw(ByteBuffer.allocate(4 + 10).putInt(1000).put(new byte[10]).array());
        c.close();
        // The @AfterEach check proves the upstream connection was closed as well.
    }

    @Test
    void unknownApiKeyClosesTheConnection() throws Exception {
        ByteBuffer frame = ByteBuffer.allocate(4 + 10);
        frame.putInt(10).putShort((short) 9999).putShort((short) 0).putInt(1).putShort((short) -1);
        assertRefused(frame.array());
    }

    @Test
    void theAnswerToARequestBeforeARefusedOneIsStillDelivered() throws Exception {
        String topic;
        try (org.apache.kafka.clients.admin.Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            topic = Clients.createTopic(direct, 1);
        }
        try (RawKafkaConnection c = connect()) {
            // A Fetch the broker holds for half a second (there is nothing to read), and an unknown API right behind it.
            int id = c.send(ApiKeys.FETCH, (short) 12, new FetchRequestData().setMaxWaitMs(500).setMinBytes(1).setMaxBytes(1024)
                    .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                            new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1024))))));
            c.writeRaw(ByteBuffer.allocate(4 + 10).putInt(10).putShort((short) 9999).putShort((short) 0).putInt(99).putShort((short) -1).array());
            FetchResponseData answer = c.receive(ApiKeys.FETCH, (short) 12, id, in -> new FetchResponseData(in, (short) 12));
            assertThat(answer.errorCode()).isZero();
            assertThat(answer.responses()).singleElement().satisfies(t -> assertThat(t.topic()).isEqualTo(topic));
            assertThat(c.isClosedByPeer()).as("then the connection closes, as a broker closes it").isTrue();
        }
    }

    @Test
    void knownButUnsupportedApiKeyClosesTheConnectionAndNeverReachesTheBroker() throws Exception {
        try (RawKafkaConnection c = connect()) {
            c.send(ApiKeys.CREATE_ACLS, (short) 3, new CreateAclsRequestData());
            assertThat(c.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void supportedApiAtAnUnknownVersionClosesTheConnection() throws Exception {
        try (RawKafkaConnection c = connect()) {
            ByteBuffer frame = ByteBuffer.allocate(4 + 10);
            frame.putInt(10).putShort(ApiKeys.METADATA.id).putShort((short) 999).putInt(1).putShort((short) -1);
            c.writeRaw(frame.array());
            assertThat(c.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void apiVersionsAtAnUnknownVersionGetsAVersionZeroUnsupportedVersionAnswer() throws Exception {
        try (RawKafkaConnection c = connect()) {
            short unknown = (short) (SupportedApis.maxVersion(ApiKeys.API_VERSIONS) + 1);
            // The body of an unknown version cannot be written by the client library; an empty v3 body is what
            // a newer client's first bytes look like to us.
            RawKafkaConnection.Frame.send(c, ApiKeys.API_VERSIONS, unknown, 42, new byte[] {0, 0, 0});
            ByteBuffer body = c.receive((short) 0, 42);
            ApiVersionsResponseData answer = new ApiVersionsResponseData(new org.apache.kafka.common.protocol.ByteBufferAccessor(body), (short) 0);
            assertThat(answer.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            ApiVersionsResponseData.ApiVersion range = answer.apiKeys().find(ApiKeys.API_VERSIONS.id);
            assertThat(range).isNotNull();
            assertThat(range.maxVersion()).isEqualTo(SupportedApis.maxVersion(ApiKeys.API_VERSIONS));
            // The connection stays usable: the client retries at a version both sides know.
            assertApiVersionsAnswered(c);
        }
    }

    @Test
    void apiVersionsAdvertisesOnlyWhatTheGatewayUnderstands() throws Exception {
        try (RawKafkaConnection c = connect()) {
            int id = c.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                    .setClientSoftwareName("raw").setClientSoftwareVersion("1"));
            ApiVersionsResponseData answer = c.receive(ApiKeys.API_VERSIONS, (short) 3, id, in -> new ApiVersionsResponseData(in, (short) 3));
            assertThat(answer.errorCode()).isZero();
            assertThat(answer.apiKeys()).isNotEmpty();
            for (ApiVersionsResponseData.ApiVersion v : answer.apiKeys()) {
                ApiKeys api = ApiKeys.forId(v.apiKey());
                assertThat(SupportedApis.isSupported(api) || SupportedApis.GATEWAY_APIS.contains(api)).as("advertised %s", api).isTrue();
                assertThat(v.minVersion()).isGreaterThanOrEqualTo(SupportedApis.minVersion(api));
                assertThat(v.maxVersion()).isLessThanOrEqualTo(SupportedApis.maxVersion(api));
            }
            assertThat(answer.apiKeys().find(ApiKeys.PRODUCE.id)).isNotNull();
            assertThat(answer.apiKeys().find(ApiKeys.FETCH.id)).isNotNull();
            assertThat(answer.apiKeys().find(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS.id)).as("answered by the gateway").isNotNull();
            // The broker supports these; the gateway does not (yet), so clients must not be told about them.
            assertThat(answer.apiKeys().find(ApiKeys.SASL_HANDSHAKE.id)).isNull();
            assertThat(answer.apiKeys().find(ApiKeys.CREATE_ACLS.id)).isNull();
            assertThat(answer.apiKeys().find(ApiKeys.DESCRIBE_ACLS.id)).isNull();
            assertThat(answer.apiKeys().find(ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS.id)).isNull();
        }
    }

    @Test
    void metadataThroughARawConnectionStillWorksAfterAllThat() throws Exception {
        int id = bystander.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
        var md = bystander.receive(ApiKeys.METADATA, (short) 12, id,
                in -> new org.apache.kafka.common.message.MetadataResponseData(in, (short) 12));
        assertThat(md.brokers()).allMatch(b -> gateway.isGatewayAddress(b.host(), b.port()));
    }

    private void assertRefused(byte[] bytes) throws IOException {
        try (RawKafkaConnection c = connect()) {
            c.writeRaw(bytes);
            assertThat(c.isClosedByPeer()).as("connection closed by the gateway").isTrue();
        }
    }

    private static void assertApiVersionsAnswered(RawKafkaConnection c) throws IOException {
        int id = c.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                .setClientSoftwareName("raw").setClientSoftwareVersion("1"));
        ApiVersionsResponseData answer = c.receive(ApiKeys.API_VERSIONS, (short) 3, id, in -> new ApiVersionsResponseData(in, (short) 3));
        assertThat(answer.errorCode()).isZero();
    }

    private static RawKafkaConnection connect() throws IOException {
        return new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort());
    }

    private static GatewayStats stats() {
        return gateway.server().stats();
    }
}
