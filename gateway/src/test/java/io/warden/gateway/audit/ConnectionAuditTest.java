package io.warden.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditQuery;
import io.warden.audit.FileSinkConfig;
import io.warden.gateway.cluster.KnownTopicNames;
import io.warden.gateway.config.AuditConfig;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Events built from responses assembled by hand, for shapes a broker returns only now and then. */
class ConnectionAuditTest {

    @TempDir
    Path tmp;

    /** A request refused by closing the connection is audited with the error the refusal stands for. */
    @Test
    void aRefusalRecordsTheErrorOfTheDeniedResource() throws Exception {
        try (GatewayAudit audit = failClosedTrail()) {
            ConnectionAudit connection = new ConnectionAudit(audit, KnownTopicNames.none(), "plain", null);
            connection.refused(ApiKeys.PRODUCE, (short) 9, 1, "acks=0 Produce to topic 'vault': TOPIC_AUTHORIZATION_FAILED",
                    Errors.TOPIC_AUTHORIZATION_FAILED, List.of("WRITE topic:vault"));
            connection.refused(ApiKeys.TXN_OFFSET_COMMIT, (short) 3, 2, "denied", Errors.GROUP_AUTHORIZATION_FAILED,
                    List.of("READ group:billing"));
            connection.refused(ApiKeys.FETCH, (short) 12, 3, "replica fetch (replica id 1) from a client",
                    Errors.CLUSTER_AUTHORIZATION_FAILED, List.of());
        }
        assertThat(events("authorization_denied")).extracting(e -> e.path("unmapped").path("error_code").asInt())
                .containsExactly((int) Errors.TOPIC_AUTHORIZATION_FAILED.code(), (int) Errors.GROUP_AUTHORIZATION_FAILED.code(),
                        (int) Errors.CLUSTER_AUTHORIZATION_FAILED.code());
    }

    private GatewayAudit failClosedTrail() throws Exception {
        Path key = tmp.resolve("audit-key.pem");
        byte[] der = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate().getEncoded();
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END PRIVATE KEY-----\n");
        return GatewayAudit.open(new AuditConfig(AuditLog.Mode.FAIL_CLOSED, 100, 10, FileSinkConfig.of(tmp.resolve("audit"), key), false,
                null, AuditLog.DEFAULT_MAX_QUEUED_BYTES));
    }

    private List<JsonNode> events(String type) throws Exception {
        return AuditQuery.find(tmp.resolve("audit"), AuditQuery.Filter.all()).stream()
                .filter(e -> e.path("unmapped").path("event_type").asText().equals(type)).toList();
    }

    /**
     * Kafka cuts a Fetch response at its size limits, possibly inside a batch: a partition whose bytes are only the
     * start of one reaches the client all the same, so it is audited (by its bytes) and, fail-closed, held for it.
     */
    @Test
    void aFetchReturningOnlyAPartialBatchIsAuditedByItsBytes() throws Exception {
        MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), "a value of some length".getBytes(StandardCharsets.UTF_8)));
        ByteBuffer cut = batch.buffer().duplicate();
        cut.limit(cut.limit() / 2);
        MemoryRecords partial = MemoryRecords.readableRecords(cut.slice());
        FetchResponseData data = new FetchResponseData();
        data.responses().add(new FetchResponseData.FetchableTopicResponse().setTopic("orders")
                .setPartitions(List.of(new FetchResponseData.PartitionData().setPartitionIndex(0).setRecords(partial))));

        CompletableFuture<Void> written;
        try (GatewayAudit audit = failClosedTrail()) {
            ConnectionAudit connection = new ConnectionAudit(audit, KnownTopicNames.none(),
                    "plain", null);
            ConnectionAudit.Pending pending = connection.request(new RequestHeader(ApiKeys.FETCH, (short) 12, "consumer", 7), null);
            written = connection.response(pending, AbstractResponse.parseResponse(ApiKeys.FETCH,
                    MessageUtil.toByteBufferAccessor(data, (short) 12), (short) 12));
            written.get(10, TimeUnit.SECONDS);
        }
        assertThat(events("consume")).singleElement().satisfies(e -> {
            JsonNode p = e.path("unmapped").path("partitions").get(0);
            assertThat(p.path("topic").asText()).isEqualTo("orders");
            assertThat(p.path("bytes").asLong()).isEqualTo(partial.sizeInBytes());
            assertThat(p.path("record_count").asLong()).isZero();
        });
    }
}
