package io.warden.gateway.config;

import io.warden.audit.AuditLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The audit section: modes, sinks, and a precise error for each way it can be wrong. */
class AuditConfigLoaderTest {

    @TempDir
    Path dir;

    private WardenConfig load(String audit) {
        return ConfigLoader.parse("w.yaml", "listeners: [{brokerPorts: 9100-9199}]\nupstream: {bootstrapServers: [k:9092]}\n" + audit, dir);
    }

    private void writeKey() throws Exception {
        byte[] der = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate().getEncoded();
        Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der) + "\n-----END PRIVATE KEY-----\n");
    }

    @Test
    void everySinkAndTheModeAreRead() throws Exception {
        writeKey();
        AuditConfig a = load("""
                audit:
                  mode: fail-closed
                  queueCapacity: 100
                  queueMaxBytes: 8388608
                  maxBatch: 10
                  file: {directory: trail, signingKey: key.pem, maxSegmentBytes: 10000, maxSegmentAgeSeconds: 60, checkpointSeconds: 5}
                  stdout: true
                  kafka: {bootstrapServers: ["audit:9092"], topic: warden-audit, properties: {compression.type: zstd}}
                """).audit();
        assertThat(a.mode()).isEqualTo(AuditLog.Mode.FAIL_CLOSED);
        assertThat(a.queueCapacity()).isEqualTo(100);
        assertThat(a.queueMaxBytes()).isEqualTo(8L * 1024 * 1024);
        assertThat(load("audit: {stdout: true}").audit().queueMaxBytes()).isEqualTo(AuditLog.DEFAULT_MAX_QUEUED_BYTES);
        assertThat(a.maxBatch()).isEqualTo(10);
        assertThat(a.file().directory()).isEqualTo(dir.resolve("trail"));
        assertThat(a.file().maxSegmentBytes()).isEqualTo(10_000);
        assertThat(a.file().maxSegmentAge()).isEqualTo(Duration.ofSeconds(60));
        assertThat(a.file().checkpointInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(load("audit: {file: {directory: trail, signingKey: key.pem}}").audit().file().checkpointInterval())
                .isEqualTo(Duration.ofMinutes(1));
        assertThat(load("audit: {file: {directory: trail, signingKey: key.pem, checkpointSeconds: 0}}").audit().file()
                .checkpointInterval()).isNull();
        assertThat(a.stdout()).isTrue();
        assertThat(a.kafka().bootstrapServers()).isEqualTo(List.of("audit:9092"));
        assertThat(a.kafka().properties()).isEqualTo(Map.of("compression.type", "zstd"));
        assertThat(load("audit: {stdout: true}").audit().mode()).isEqualTo(AuditLog.Mode.BEST_EFFORT);
        assertThat(load("").audit()).isNull();
    }

    @Test
    void badAuditSectionsAreRefusedWithTheField() throws Exception {
        assertThatThrownBy(() -> load("audit: {mode: sometimes, stdout: true}"))
                .hasMessage("w.yaml: audit.mode: unknown mode 'sometimes'; expected best-effort or fail-closed");
        assertThatThrownBy(() -> load("audit: {mode: best-effort}"))
                .hasMessage("w.yaml: audit: configures no sink; give at least one of file, stdout: true or kafka");
        assertThatThrownBy(() -> load("audit: {file: {directory: trail}}"))
                .hasMessageStartingWith("w.yaml: audit.file.signingKey: is required");
        assertThatThrownBy(() -> load("audit: {file: {directory: trail, signingKey: nope.pem}}"))
                .hasMessageContaining("audit.file.signingKey: ").hasMessageContaining("nope.pem: file not found");
        Files.writeString(dir.resolve("junk.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> load("audit: {file: {directory: trail, signingKey: junk.pem}}"))
                .hasMessageContaining("audit.file.signingKey: ").hasMessageContaining("not a usable private key")
                .hasMessageNotContaining("AAAA");
        writeKey();
        assertThatThrownBy(() -> load("audit: {file: {directory: trail, signingKey: key.pem, checkpointSeconds: -1}}"))
                .hasMessageStartingWith("w.yaml: audit.file.checkpointSeconds: expected an integer between 0 and 86400");
        assertThatThrownBy(() -> load("audit: {kafka: {topic: t}}"))
                .hasMessage("w.yaml: audit.kafka.bootstrapServers: expected a non-empty list of host:port");
        assertThatThrownBy(() -> load("audit: {kafka: {bootstrapServers: [\"a:1\"]}}"))
                .hasMessage("w.yaml: audit.kafka.topic: is required: the topic audit events are written to");
        assertThatThrownBy(() -> load("audit: {stdout: true, sinks: []}"))
                .hasMessageStartingWith("w.yaml: audit.sinks: unknown key");
        assertThatThrownBy(() -> load("audit: {stdout: true, queueCapacity: 1}"))
                .hasMessageStartingWith("w.yaml: audit.queueCapacity: expected an integer between 16 and");
        assertThatThrownBy(() -> load("audit: {stdout: true, queueMaxBytes: 1000}"))
                .hasMessageStartingWith("w.yaml: audit.queueMaxBytes: expected an integer between 1048576 and");
    }
}
