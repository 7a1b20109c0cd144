package io.warden.audit;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StdoutSinkTest {

    @Test
    void writesEachEventAsOneUtf8JsonLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StdoutSink sink = new StdoutSink(new PrintStream(out, false, StandardCharsets.ISO_8859_1));
        OcsfEncoder encoder = new OcsfEncoder();
        AuditEvent login = AuditEvent.builder(AuditEventType.AUTHENTICATION_SUCCESS, Instant.parse("2026-01-02T03:04:05Z"))
                .principal("User:zoë").detail("mechanism", "SCRAM-SHA-512").build();

        sink.write(List.of(Events.encoded(1), new EncodedEvent(login, encoder.encodeUtf8(login, 2))));
        sink.flush();

        String written = out.toString(StandardCharsets.UTF_8);
        assertThat(written).isEqualTo(new String(Events.encoded(1).json(), StandardCharsets.UTF_8) + "\n" + encoder.encode(login, 2) + "\n");
        assertThat(written).contains("\"name\":\"User:zoë\"");
    }
}
