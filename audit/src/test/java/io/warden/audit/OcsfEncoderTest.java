package io.warden.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class OcsfEncoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T = Instant.parse("2025-11-03T10:15:30.123Z");
    private final OcsfEncoder encoder = new OcsfEncoder("0.1.0");

    private JsonNode encode(AuditEvent e, long seq) throws Exception {
        String line = encoder.encode(e, seq);
        assertThat(line).doesNotContain("\n");
        return JSON.readTree(line);
    }

    @Test
    void utf8EncodingIsTheLineAsUtf8Bytes() throws Exception {
        AuditEvent e = AuditEvent.builder(AuditEventType.CONSUME, T)
                .principal("User:zoë").client("10.1.2.3", 51234).clientId("app-\u2603").listener("external")
                .api("Fetch", 17).partition(new PartitionDetail("bestellungen-ü", 0, (short) 0, 5, 600, 10, 14, 1000, 1400))
                .build();

        byte[] utf8 = encoder.encodeUtf8(e, 3);

        assertThat(new String(utf8, java.nio.charset.StandardCharsets.UTF_8)).contains("\"name\":\"User:zoë\"")
                .isEqualTo(encoder.encode(e, 3));
        JsonNode n = JSON.readTree(utf8);
        assertThat(n.at("/actor/user/name").asText()).isEqualTo("User:zoë");
        assertThat(n.at("/actor/app_name").asText()).isEqualTo("app-\u2603");
        assertThat(n.at("/unmapped/partitions/0/topic").asText()).isEqualTo("bestellungen-ü");
    }

    /**
     * A request naming thousands of partitions at a few bytes each: its event lists the first ones and counts the
     * rest (records and bytes in the totals, their topics named), so it stays small enough for any sink.
     */
    @Test
    void anEventListsAtMostTheFirstPartitionsAndCountsTheRest() throws Exception {
        AuditEvent.Builder b = AuditEvent.builder(AuditEventType.PRODUCE, T).principal("User:mallory").api("Produce", 11);
        for (int i = 0; i < 3000; i++) {
            b.partition(new PartitionDetail(i < 2000 ? "orders" : "payments", i, (short) 0, 2, 100, 0, 1, 1000, 1000));
        }
        AuditEvent e = b.build();
        assertThat(e.partitions()).hasSize(AuditEvent.MAX_PARTITIONS);
        String line = encoder.encode(e, 1);
        assertThat(line.length()).isLessThan(300_000);
        JsonNode n = JSON.readTree(line);
        assertThat(n.at("/unmapped/partitions")).hasSize(AuditEvent.MAX_PARTITIONS);
        assertThat(n.at("/unmapped/partitions_omitted").asInt()).isEqualTo(2000);
        assertThat(n.at("/unmapped/record_count").asLong()).isEqualTo(6000);
        assertThat(n.at("/unmapped/bytes").asLong()).isEqualTo(300_000);
        assertThat(n.at("/unmapped/topics_omitted").toString()).isEqualTo("[\"orders\",\"payments\"]");
        assertThat(AuditQuery.topicsOf(n)).contains("orders", "payments");
    }

    @Test
    void produceIsApiActivityCreateWithPartitionDetail() throws Exception {
        AuditEvent e = AuditEvent.builder(AuditEventType.PRODUCE, T)
                .principal("User:alice").client("10.1.2.3", 51234).clientId("orders-app").listener("external")
                .api("Produce", 11).requestId("conn-7/42").latencyMs(4)
                .partition(new PartitionDetail("orders", 0, (short) 0, 5, 600, 10, 14, 1000, 1400))
                .partition(new PartitionDetail("orders", 1, (short) 0, 2, 200, 0, 1, 1100, 1200))
                .detail("transactional_id", "tx-1")
                .build();
        JsonNode n = encode(e, 17);
        assertThat(n.get("class_uid").asInt()).isEqualTo(6003);
        assertThat(n.get("category_uid").asInt()).isEqualTo(6);
        assertThat(n.get("activity_id").asInt()).isEqualTo(1);
        assertThat(n.get("type_uid").asLong()).isEqualTo(600301);
        assertThat(n.get("severity_id").asInt()).isEqualTo(1);
        assertThat(n.get("status_id").asInt()).isEqualTo(1);
        assertThat(n.get("time").asLong()).isEqualTo(T.toEpochMilli());
        assertThat(n.at("/metadata/version").asText()).isEqualTo("1.3.0");
        assertThat(n.at("/metadata/product/name").asText()).isEqualTo("Warden");
        assertThat(n.at("/metadata/product/vendor_name").asText()).isEqualTo("Warden");
        assertThat(n.at("/metadata/log_name").asText()).isEqualTo("warden-audit");
        assertThat(n.at("/metadata/sequence").asLong()).isEqualTo(17);
        assertThat(n.at("/actor/user/name").asText()).isEqualTo("User:alice");
        assertThat(n.at("/actor/app_name").asText()).isEqualTo("orders-app");
        assertThat(n.at("/src_endpoint/ip").asText()).isEqualTo("10.1.2.3");
        assertThat(n.at("/src_endpoint/port").asInt()).isEqualTo(51234);
        assertThat(n.at("/api/operation").asText()).isEqualTo("Produce");
        assertThat(n.at("/api/version").asText()).isEqualTo("11");
        assertThat(n.at("/api/request/uid").asText()).isEqualTo("conn-7/42");
        assertThat(n.get("resources")).hasSize(1);
        assertThat(n.at("/resources/0/type").asText()).isEqualTo("topic");
        assertThat(n.at("/resources/0/name").asText()).isEqualTo("orders");
        assertThat(n.get("duration").asLong()).isEqualTo(4);
        JsonNode u = n.get("unmapped");
        assertThat(u.get("warden_schema").asInt()).isEqualTo(OcsfEncoder.WARDEN_SCHEMA);
        assertThat(u.get("event_type").asText()).isEqualTo("produce");
        assertThat(u.get("api_key").asText()).isEqualTo("Produce");
        assertThat(u.get("api_version").asInt()).isEqualTo(11);
        assertThat(u.get("client_id").asText()).isEqualTo("orders-app");
        assertThat(u.get("listener").asText()).isEqualTo("external");
        assertThat(u.get("error_code").asInt()).isZero();
        assertThat(u.get("latency_ms").asLong()).isEqualTo(4);
        assertThat(u.get("record_count").asLong()).isEqualTo(7);
        assertThat(u.get("bytes").asLong()).isEqualTo(800);
        assertThat(u.at("/partitions/0/partition").asInt()).isZero();
        assertThat(u.at("/partitions/0/record_count").asLong()).isEqualTo(5);
        assertThat(u.at("/partitions/0/first_offset").asLong()).isEqualTo(10);
        assertThat(u.at("/partitions/0/last_offset").asLong()).isEqualTo(14);
        assertThat(u.at("/partitions/0/first_timestamp").asLong()).isEqualTo(1000);
        assertThat(u.at("/partitions/0/last_timestamp").asLong()).isEqualTo(1400);
        assertThat(u.at("/partitions/1/bytes").asLong()).isEqualTo(200);
        assertThat(u.at("/details/transactional_id").asText()).isEqualTo("tx-1");
    }

    @Test
    void consumeIsApiActivityRead() throws Exception {
        AuditEvent e = AuditEvent.builder(AuditEventType.CONSUME, T).principal("User:bob").api("Fetch", 17)
                .partition(PartitionDetail.empty("orders", 2, (short) 0)).detail("group", "billing").build();
        JsonNode n = encode(e, 1);
        assertThat(n.get("class_uid").asInt()).isEqualTo(6003);
        assertThat(n.get("activity_id").asInt()).isEqualTo(2);
        assertThat(n.get("type_uid").asLong()).isEqualTo(600302);
        assertThat(n.at("/resources/1/type").asText()).isEqualTo("group");
        assertThat(n.at("/resources/1/name").asText()).isEqualTo("billing");
        assertThat(n.at("/unmapped/partitions/0/first_offset").asLong()).isEqualTo(-1);
    }

    @ParameterizedTest
    @CsvSource({
            "AUTHENTICATION_SUCCESS, 0, 3002, 3, 1, 1, 1",
            "AUTHENTICATION_FAILURE, 58, 3002, 3, 1, 2, 3",
            "AUTHORIZATION_DENIED, 29, 6003, 6, 1, 2, 3",
            "CONNECTION_OPEN, 0, 4001, 4, 1, 1, 1",
            "CONNECTION_CLOSE, 0, 4001, 4, 2, 1, 1",
            "POLICY_CHANGE, 0, 6003, 6, 3, 1, 1",
            "ADMIN_ACTION, 0, 6003, 6, 99, 1, 1",
            "ADMIN_ACTION, 36, 6003, 6, 99, 2, 2",
    })
    void everyTypeMapsToItsClassActivityAndStatus(AuditEventType type, short error, int classUid, int categoryUid,
                                                   int activityId, int statusId, int severityId) throws Exception {
        AuditEvent e = AuditEvent.builder(type, T).principal("User:carol").client("::1", 9092)
                .api(type == AuditEventType.AUTHORIZATION_DENIED ? "Produce" : "CreateTopics", 7)
                .outcome(error, error == 0 ? null : "refused").detail("mechanism", "SCRAM-SHA-256").build();
        JsonNode n = encode(e, 3);
        assertThat(n.get("class_uid").asInt()).isEqualTo(classUid);
        assertThat(n.get("category_uid").asInt()).isEqualTo(categoryUid);
        assertThat(n.get("activity_id").asInt()).isEqualTo(activityId);
        assertThat(n.get("type_uid").asLong()).isEqualTo(classUid * 100L + activityId);
        assertThat(n.get("status_id").asInt()).isEqualTo(statusId);
        assertThat(n.get("severity_id").asInt()).isEqualTo(severityId);
        assertThat(n.at("/unmapped/event_type").asText()).isEqualTo(type.wireName());
        assertThat(n.at("/unmapped/error_code").asInt()).isEqualTo(error);
        assertThat(n.at("/src_endpoint/ip").asText()).isEqualTo("::1");
        if (error != 0) {
            assertThat(n.get("status_detail").asText()).isEqualTo("refused");
        }
        if (classUid == 3002) {
            assertThat(n.at("/user/name").asText()).isEqualTo("User:carol");
            assertThat(n.get("auth_protocol").asText()).isEqualTo("SCRAM-SHA-256");
            assertThat(n.at("/unmapped/details/mechanism").asText()).isEqualTo("SCRAM-SHA-256");
        }
    }

    @Test
    void resourcesNameEachTopicOnceInTheOrderFirstSeenForFewAndManyPartitions() throws Exception {
        for (int partitions : new int[]{3, 8, 9, 200}) {
            AuditEvent.Builder b = AuditEvent.builder(AuditEventType.CONSUME, T).api("Fetch", 17).detail("topic", "b");
            for (int i = 0; i < partitions; i++) {
                String topic = i % 3 == 0 ? "c" : i % 3 == 1 ? "a" : "b";
                b.partition(new PartitionDetail(topic, i, (short) 0, 1, 10, i, i, 1000, 1000));
            }
            JsonNode resources = encode(b.build(), 1).get("resources");
            assertThat(resources).as("%d partitions", partitions).hasSize(3);
            assertThat(resources.findValuesAsText("name")).as("%d partitions", partitions).containsExactly("c", "a", "b");
        }
    }

    @Test
    void stringsAreEscapedOntoOneLine() throws Exception {
        AuditEvent e = AuditEvent.builder(AuditEventType.AUTHENTICATION_FAILURE, T).principal("a\"b\nc")
                .outcome((short) 58, "bad\npassword").build();
        JsonNode n = encode(e, 1);
        assertThat(n.at("/actor/user/name").asText()).isEqualTo("a\"b\nc");
    }
}
