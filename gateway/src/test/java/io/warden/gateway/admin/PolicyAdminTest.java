package io.warden.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditQuery;
import io.warden.audit.FileSinkConfig;
import io.warden.audit.PemKeys;
import io.warden.gateway.audit.GatewayAudit;
import io.warden.gateway.config.AuditConfig;
import io.warden.policies.PolicyDocument;
import io.warden.policies.PolicyParser;
import io.warden.policies.store.FilePolicyStore;
import io.warden.policies.store.PolicyStore;
import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyAdminTest {

    static final String ALICE = "acls:\n  - principal: User:alice\n    operations: [read]\n    topic: orders\n";
    static final String BOB = "  - principal: User:bob\n    operations: [read]\n    topic: orders\n";
    static final String CAROL = "  - principal: User:carol\n    operations: [read]\n    topic: orders\n";

    @TempDir
    Path dir;

    /**
     * Two stores on one file, as two gateways: the other one's version is only caught up with inside the edit, so the
     * change (and its audit event) must be measured from that version, not from the one this store had before.
     */
    @Test
    void aWholePolicyEditIsAuditedAgainstTheVersionItFollows() throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, ALICE);
        PemKeys.generateEd25519(dir.resolve("audit-key.pem"), dir.resolve("audit-key.pub.pem"));
        Path trail = dir.resolve("audit");
        AuditConfig config = new AuditConfig(AuditLog.Mode.BEST_EFFORT, 1024, 64, new FileSinkConfig(trail,
                FileSinkConfig.DEFAULT_MAX_SEGMENT_BYTES, Duration.ofHours(1), dir.resolve("audit-key.pem")), false, null);
        try (FilePolicyStore mine = new FilePolicyStore(file, Duration.ofHours(1));
             FilePolicyStore other = new FilePolicyStore(file, Duration.ofHours(1))) {
            GatewayAudit audit = GatewayAudit.open(config);
            PolicyAdmin admin = new PolicyAdmin(mine, audit);
            other.apply(parse(ALICE + BOB), PolicyStore.ANY_VERSION, "User:other", "bob too");
            assertThat(mine.current().version()).as("not seen yet").isEqualTo(1);

            PolicyAdmin.AclChange change = admin.replace(parse(ALICE + CAROL), 2, "User:root", "admin-api", "carol, not bob");
            audit.close();

            assertThat(change.version().version()).isEqualTo(3);
            assertThat(change.added()).containsExactlyElementsOf(only(CAROL));
            assertThat(change.removed()).containsExactlyElementsOf(only(BOB));
            List<JsonNode> edits = AuditQuery.find(trail, AuditQuery.Filter.all()).stream()
                    .filter(e -> e.path("unmapped").path("event_type").asText().equals("admin_action")).toList();
            assertThat(edits).hasSize(1);
            JsonNode details = edits.get(0).path("unmapped").path("details");
            assertThat(details.path("before_version").asText()).isEqualTo("2");
            assertThat(details.path("after_version").asText()).isEqualTo("3");
            assertThat(details.path("added").asText()).contains("User:carol").doesNotContain("User:bob");
            assertThat(details.path("removed").asText()).contains("User:bob");
        }
    }

    private static PolicyDocument parse(String yaml) {
        return PolicyParser.parse("test", yaml);
    }

    private static List<AclBinding> only(String entry) {
        return parse("acls:\n" + entry).bindings();
    }
}
