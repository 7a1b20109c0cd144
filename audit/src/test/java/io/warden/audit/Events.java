package io.warden.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Sample events for tests. */
final class Events {

    static final Instant T0 = Instant.parse("2025-11-03T10:00:00Z");
    private static final OcsfEncoder ENCODER = new OcsfEncoder("test");

    private Events() {
    }

    static AuditEvent produce(int i) {
        return AuditEvent.builder(AuditEventType.PRODUCE, T0.plusSeconds(i))
                .principal("User:alice").client("10.0.0.7", 50412).clientId("orders-app").listener("external")
                .api("Produce", 11).requestId("c1-" + i).latencyMs(3)
                .partition(new PartitionDetail("orders", i % 3, (short) 0, 10, 1200, 100L * i, 100L * i + 9,
                        1_700_000_000_000L, 1_700_000_000_900L))
                .build();
    }

    static EncodedEvent encoded(int i) {
        AuditEvent e = produce(i);
        return new EncodedEvent(e, ENCODER.encodeUtf8(e, i));
    }

    static List<EncodedEvent> encoded(int from, int count) {
        List<EncodedEvent> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(encoded(i));
        }
        return out;
    }
}
