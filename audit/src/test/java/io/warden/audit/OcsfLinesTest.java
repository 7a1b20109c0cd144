package io.warden.audit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The encoder's exact bytes for events of every type and shape, against {@code ocsf-lines.jsonl}: the lines SIEM
 * parsers and the hash chain see must not change by accident (a change of layout is a change of
 * {@link OcsfEncoder#WARDEN_SCHEMA}, and of this file on purpose).
 */
class OcsfLinesTest {

    private static final Instant T = Instant.parse("2025-11-03T10:15:30.123Z");

    /** Events covering every type, optional field, escape and number shape the encoder writes. */
    static List<AuditEvent> corpus() {
        List<AuditEvent> events = new ArrayList<>();
        events.add(Events.produce(1));
        events.add(AuditEvent.builder(AuditEventType.PRODUCE, T)
                .principal("User:alice").client("10.1.2.3", 51234).listener("external")
                .api("Produce", 13).requestId("10.1.2.3:51234#2147483647").latencyMs(0)
                .partition(new PartitionDetail("orders", 0, (short) 0, 5, 600, 10, 14, 1000, 1400))
                .partition(new PartitionDetail("orders", 1, (short) 6, 2, 200, -1, -1, -1, -1))
                .partition(new PartitionDetail("payments", 2147483647, (short) -1, -1, 0, Long.MAX_VALUE,
                        Long.MAX_VALUE, Long.MIN_VALUE, 0))
                .detail("transactional_id", "tx-1").detail("acks", "0")
                .outcome((short) 6, "This server is not the leader for that topic-partition.")
                .build());
        events.add(AuditEvent.builder(AuditEventType.CONSUME, T)
                .principal("User:zoë").client("::1", 0).clientId("app-\u2603 \uD83D\uDE00").listener("internal")
                .api("Fetch", 17).requestId("::1:0#0").latencyMs(123456789)
                .partition(new PartitionDetail("bestellungen-ü", 0, (short) 0, 1005, 1042252, 0, 1004, 1000, 1400))
                .build());
        events.add(AuditEvent.builder(AuditEventType.AUTHENTICATION_SUCCESS, T).principal("User:bob")
                .client("192.168.0.1", 65535).listener("sasl").detail("mechanism", "SCRAM-SHA-512")
                .detail("reauthentication", "false").build());
        events.add(AuditEvent.builder(AuditEventType.AUTHENTICATION_FAILURE, T).principal(null)
                .client("10.0.0.1", 1).listener("sasl")
                .outcome((short) 58, "bad \"password\"\n\t\\ \u0001\u001f\u007f\u2028 </script>")
                .detail("mechanism", "PLAIN").detail("claimed_user", "mallory\r\n{\"seq\":1}").build());
        events.add(AuditEvent.builder(AuditEventType.AUTHORIZATION_DENIED, T).principal("User:eve")
                .client("10.0.0.2", 4000).clientId("cli").listener("external").api("Produce", 9).requestId("r")
                .outcome((short) 29, "Topic authorization failed.").detail("denied", "Write on topic secret")
                .build());
        for (String api : List.of("Fetch", "DeleteTopics", "deleteRecords", "CreateAcls")) {
            events.add(AuditEvent.builder(AuditEventType.AUTHORIZATION_DENIED, T).principal("User:eve")
                    .api(api, 0).outcome((short) 31, null).build());
        }
        events.add(AuditEvent.builder(AuditEventType.AUTHORIZATION_DENIED, T).principal("User:eve")
                .outcome((short) 31, "no api").build());
        events.add(AuditEvent.builder(AuditEventType.CONNECTION_OPEN, T).client("10.0.0.3", 5000).listener("l").build());
        events.add(AuditEvent.builder(AuditEventType.CONNECTION_CLOSE, T).principal("User:CN=app,O=acme")
                .client("10.0.0.3", 5000).clientId("c").listener("l").detail("reason", "client closed").build());
        events.add(AuditEvent.builder(AuditEventType.POLICY_CHANGE, T).principal("User:admin")
                .detail("change", "{\"add\":[\"allow User:* Read topic orders\"]}").detail("group", "g1")
                .detail("topic", "orders").build());
        events.add(AuditEvent.builder(AuditEventType.ADMIN_ACTION, T).principal("User:admin").clientId("adminclient-1")
                .api("CreateTopics", 7).requestId("x#1").latencyMs(12).outcome((short) 36, "Topic 'a' already exists.")
                .detail("request", "{\"topics\":[{\"name\":\"a\"}]}").detail("errors", "TOPIC_ALREADY_EXISTS=1")
                .build());
        events.add(AuditEvent.builder(AuditEventType.ADMIN_ACTION, T).build());
        events.add(AuditEvent.builder(AuditEventType.CONSUME, T).principal("lone \uD800 surrogate \uDC00")
                .clientId("x\uDBFF").api("Fetch", 4).build());
        return events;
    }

    /** Each corpus event, encoded with sequence number = its index + 1; odd ones by an encoder without a version. */
    static List<String> lines() {
        OcsfEncoder versioned = new OcsfEncoder("1.2.3");
        OcsfEncoder unversioned = new OcsfEncoder();
        List<AuditEvent> events = corpus();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            OcsfEncoder encoder = i % 2 == 0 ? versioned : unversioned;
            lines.add(new String(encoder.encodeUtf8(events.get(i), i == 1 ? Long.MAX_VALUE : i + 1L),
                    StandardCharsets.UTF_8));
        }
        return lines;
    }

    @Test
    void everyEventIsEncodedToTheRecordedLine() throws IOException {
        List<String> expected;
        try (InputStream in = OcsfLinesTest.class.getResourceAsStream("/ocsf-lines.jsonl")) {
            assertThat(in).as("test resource ocsf-lines.jsonl").isNotNull();
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        List<String> actual = lines();
        assertThat(actual).hasSize(expected.size());
        for (int i = 0; i < actual.size(); i++) {
            assertThat(actual.get(i)).as("line %d", i + 1).isEqualTo(expected.get(i));
        }
    }
}
