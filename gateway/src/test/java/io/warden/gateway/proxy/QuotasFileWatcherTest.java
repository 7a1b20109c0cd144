package io.warden.gateway.proxy;

import io.warden.gateway.audit.GatewayAudit;
import io.warden.gateway.config.ConfigLoader;
import io.warden.gateway.config.QuotasConfig;
import io.warden.policies.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** What one check of the configuration file does to the quotas in force, and what it logs. */
class QuotasFileWatcherTest {

    static final String BASE = "listeners: [{brokerPorts: 9100-9199}]\nupstream: {bootstrapServers: [k:9092]}\n";
    static final String ALICE = "quotas: {principals: {\"User:alice\": {produceBytesPerSecond: 1000}}}\n";

    @TempDir
    Path dir;

    @Test
    void aValidChangeOfTheQuotasIsPutInForceAndAnythingElseChangesNothing() throws Exception {
        Path file = dir.resolve("warden.yaml");
        Files.writeString(file, BASE + ALICE);
        ClientQuotas quotas = new ClientQuotas(ConfigLoader.load(file).quotas());
        QuotasFileWatcher watcher = new QuotasFileWatcher(null, file, Duration.ofSeconds(1), quotas, GatewayAudit.OFF);
        try (LogCapture logs = LogCapture.attach(QuotasFileWatcher.class.getName())) {
            watcher.checkNow();
            assertThat(quotas.generation()).as("the file as the gateway started from it").isZero();

            replace(file, BASE.replace("9100-9199", "9200-9299") + ALICE);
            watcher.checkNow();
            assertThat(quotas.generation()).as("a change outside quotas").isZero();

            replace(file, BASE + ALICE.replace("1000", "2000"));
            watcher.checkNow();
            assertThat(quotas.generation()).isEqualTo(1);
            assertThat(quotas.config().quotaOf("User:alice", "app", QuotasConfig.Kind.PRODUCE).bytesPerSecond()).isEqualTo(2000);
            assertThat(logs.linesContaining("event=quotas_loaded")).hasSize(1);

            replace(file, BASE + ALICE.replace("1000", "-5"));
            watcher.checkNow();
            watcher.checkNow();
            assertThat(quotas.generation()).as("a broken edit").isEqualTo(1);
            assertThat(quotas.config().quotaOf("User:alice", "app", QuotasConfig.Kind.PRODUCE).bytesPerSecond()).isEqualTo(2000);
            assertThat(logs.linesContaining("event=quotas_rejected")).as("logged once").singleElement().asString()
                    .contains("quotas.principals.'User:alice'.produceBytesPerSecond: expected an integer between 1 and")
                    .contains("keeping the quotas in force");

            Files.delete(file);
            watcher.checkNow();
            assertThat(quotas.generation()).as("a file gone").isEqualTo(1);
            assertThat(logs.linesContaining("event=quotas_rejected")).hasSize(2);

            replace(file, BASE);
            watcher.checkNow();
            assertThat(quotas.generation()).isEqualTo(2);
            assertThat(quotas.config()).as("quotas taken out").isNull();
        }
    }

    /** A new file in place of the old one (a new inode): seen as a change even within the file system's clock tick. */
    private static void replace(Path file, String text) throws Exception {
        Path written = file.resolveSibling("next.yaml");
        Files.writeString(written, text);
        Files.move(written, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
