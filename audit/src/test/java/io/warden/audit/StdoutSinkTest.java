package io.warden.audit;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class StdoutSinkTest {

    /** Standard output closed (the reading end of its pipe gone): fail-closed refuses rather than lose the events. */
    @Test
    void aClosedStandardOutputFailsTheBatch() {
        OutputStream closedPipe = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        StdoutSink sink = new StdoutSink(new PrintStream(closedPipe, false, StandardCharsets.UTF_8));
        try (AuditLog log = new AuditLog(AuditLog.Mode.FAIL_CLOSED, 10, 10, List.of(sink), new OcsfEncoder())) {
            CompletableFuture<Void> done = log.append(Events.produce(1));
            await().atMost(Duration.ofSeconds(5)).until(done::isDone);
            assertThat(done.handle((v, e) -> e).join()).isInstanceOf(AuditUnavailableException.class)
                    .hasMessageContaining("standard output");
            assertThat(log.written()).isZero();
        }
    }

    @Test
    void writesEachEventAsOneUtf8JsonLine() throws Exception {
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
