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
import io.warden.policies.store.PolicyConflictException;
import io.warden.policies.store.PolicyStore;
import io.warden.policies.store.PolicyStoreException;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    /**
     * Fail-closed, two stores on one file: this one has not seen the other's version yet, so the first try at an
     * addition is made against version 1, written as intended, and refused by the store as a conflict; the retry on
     * version 2 applies. Each try's intent is followed by its own outcome.
     */
    @Test
    void aTryRefusedAsAConflictIsShownNotAppliedBeforeItsRetry() throws Exception {
        Path trail = dir.resolve("audit");
        try (Behind behind = behindAnotherGateway(trail)) {
            PolicyAdmin.AclChange change = behind.admin().addAcls(only(CAROL), PolicyStore.ANY_VERSION, "User:root",
                    PolicyAdmin.ADMIN_API);
            behind.audit().close();

            assertThat(change.version().version()).isEqualTo(3);
            List<JsonNode> outcomes = outcomesOfIntents(trail);
            assertThat(outcomes).hasSize(2);
            JsonNode refused = outcomes.get(0).path("unmapped");
            assertThat(refused.path("details").path("not_applied").asText()).isEqualTo("conflict");
            assertThat(refused.path("details").path("before_version").asText()).isEqualTo("1");
            assertThat(refused.path("error_code").asInt()).isEqualTo(412);
            assertThat(outcomes.get(0).path("status_detail").asText()).isEqualTo("not applied: the policy changed: the edit"
                    + " was made against version 1, the current version is 2; retried on the current version");
            JsonNode applied = outcomes.get(1).path("unmapped");
            assertThat(applied.path("details").has("not_applied")).isFalse();
            assertThat(applied.path("details").path("before_version").asText()).isEqualTo("2");
            assertThat(applied.path("details").path("after_version").asText()).isEqualTo("3");
        }
    }

    /** Fail-closed: the store cannot write the edit written as intended (its history is no directory); the outcome says so. */
    @Test
    void aTryTheStoreFailsIsShownNotApplied() throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, ALICE);
        Path trail = dir.resolve("audit");
        try (FilePolicyStore store = new FilePolicyStore(file, Duration.ofHours(1))) {
            GatewayAudit audit = GatewayAudit.open(failClosed(trail));
            PolicyAdmin admin = new PolicyAdmin(store, audit);
            Path history = FilePolicyStore.historyDirectory(file);
            try (var versions = Files.list(history)) {
                for (Path p : versions.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(history);
            Files.writeString(history, "not a directory");

            assertThatThrownBy(() -> admin.addAcls(only(CAROL), PolicyStore.ANY_VERSION, "User:root", PolicyAdmin.KAFKA_ACLS))
                    .isInstanceOf(PolicyStoreException.class);
            audit.close();

            List<JsonNode> outcomes = outcomesOfIntents(trail);
            assertThat(outcomes).singleElement().satisfies(e -> {
                assertThat(e.path("unmapped").path("details").path("not_applied").asText()).isEqualTo("store_failed");
                assertThat(e.path("unmapped").path("error_code").asInt()).isEqualTo(Errors.KAFKA_STORAGE_ERROR.code());
                assertThat(e.path("status_detail").asText()).startsWith("the policy store failed: ")
                        .endsWith("; answered KAFKA_STORAGE_ERROR");
            });
        }
    }

    /** Fail-closed: a whole-policy edit made against a version no longer current is refused after its intent. */
    @Test
    void aWholePolicyEditOnAStaleVersionIsShownNotApplied() throws Exception {
        Path trail = dir.resolve("audit");
        try (Behind behind = behindAnotherGateway(trail)) {
            assertThatThrownBy(() -> behind.admin().replace(parse(ALICE + CAROL), 1, "User:root", PolicyAdmin.ADMIN_API, "carol"))
                    .isInstanceOf(PolicyConflictException.class);
            behind.audit().close();

            assertThat(outcomesOfIntents(trail)).singleElement().satisfies(e -> {
                assertThat(e.path("unmapped").path("details").path("not_applied").asText()).isEqualTo("conflict");
                assertThat(e.path("unmapped").path("error_code").asInt()).isEqualTo(412);
                assertThat(e.path("status_detail").asText()).isEqualTo("not applied: the policy changed: the edit was"
                        + " made against version 1, the current version is 2; answered 412");
            });
        }
    }

    /** A fail-closed admin on one of two stores of one policy file, as two gateways, with the other one's edit. */
    private record Behind(FilePolicyStore mine, FilePolicyStore other, GatewayAudit audit, PolicyAdmin admin)
            implements AutoCloseable {
        @Override
        public void close() {
            try (other) {
                mine.close();
            }
        }
    }

    /** Version 2 made by the other store, which this admin's store has not seen yet: its next edit conflicts. */
    private Behind behindAnotherGateway(Path trail) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, ALICE);
        FilePolicyStore mine = new FilePolicyStore(file, Duration.ofHours(1));
        FilePolicyStore other = new FilePolicyStore(file, Duration.ofHours(1));
        other.apply(parse(ALICE + BOB), PolicyStore.ANY_VERSION, "User:other", "bob too");
        GatewayAudit audit = GatewayAudit.open(failClosed(trail));
        return new Behind(mine, other, audit, new PolicyAdmin(mine, audit));
    }

    private AuditConfig failClosed(Path trail) throws Exception {
        PemKeys.generateEd25519(dir.resolve("audit-key.pem"), dir.resolve("audit-key.pub.pem"));
        return new AuditConfig(AuditLog.Mode.FAIL_CLOSED, 1024, 64, new FileSinkConfig(trail,
                FileSinkConfig.DEFAULT_MAX_SEGMENT_BYTES, Duration.ofHours(1), dir.resolve("audit-key.pem")), false, null);
    }

    /**
     * The outcome of each policy edit intent in the trail, in the intents' order; fails unless every intent has
     * exactly one, with its id, and every outcome follows an intent.
     */
    private static List<JsonNode> outcomesOfIntents(Path trail) throws Exception {
        List<JsonNode> edits = AuditQuery.find(trail, AuditQuery.Filter.all()).stream()
                .filter(e -> e.path("unmapped").path("details").path("action").asText().equals("policy_edit")).toList();
        List<JsonNode> intents = edits.stream()
                .filter(e -> e.path("unmapped").path("details").path("phase").asText().equals("request")).toList();
        List<JsonNode> outcomes = edits.stream().filter(e -> !intents.contains(e)).toList();
        assertThat(outcomes).extracting(PolicyAdminTest::id).as("one outcome per intent, for the same try")
                .containsExactlyElementsOf(intents.stream().map(PolicyAdminTest::id).toList())
                .doesNotHaveDuplicates();
        return outcomes;
    }

    private static String id(JsonNode event) {
        return event.path("api").path("request").path("uid").asText();
    }

    private static PolicyDocument parse(String yaml) {
        return PolicyParser.parse("test", yaml);
    }

    private static List<AclBinding> only(String entry) {
        return parse("acls:\n" + entry).bindings();
    }
}
