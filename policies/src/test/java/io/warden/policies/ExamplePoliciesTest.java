package io.warden.policies;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static io.warden.policies.Acl.allow;
import static io.warden.policies.Acl.deny;
import static io.warden.policies.Acl.of;
import static org.apache.kafka.common.acl.AclOperation.ALL;
import static org.apache.kafka.common.acl.AclOperation.ALTER;
import static org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.acl.AclPermissionType.DENY;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.apache.kafka.common.resource.ResourceType.CLUSTER;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;
import static org.assertj.core.api.Assertions.assertThat;

/** The example policies shipped in policies/examples load, and grant what their comments say. */
class ExamplePoliciesTest {

    private static PolicyDocument example(String name) {
        PolicyDocument doc = PolicyParser.load(Path.of("examples", name));
        assertThat(doc.warnings()).as("warnings of " + name).isEmpty();
        return doc;
    }

    @Test
    void demo() {
        PolicyDocument doc = example("demo.yaml");

        assertThat(doc.superUsers()).containsExactly("User:admin");
        assertThat(doc.allowEveryoneIfNoAclFound()).isFalse();
        assertThat(doc.bindings()).containsExactly(
                allow("User:alice", WRITE, TOPIC, "orders.", PREFIXED),
                allow("User:alice", DESCRIBE, TOPIC, "orders.", PREFIXED),
                allow("User:alice", CREATE, TOPIC, "orders.", PREFIXED),
                allow("User:bob", READ, TOPIC, "orders.", PREFIXED),
                allow("User:bob", READ, GROUP, "billing", LITERAL));
    }

    @Test
    void teams() {
        PolicyDocument doc = example("teams.yaml");

        assertThat(doc.superUsers()).containsExactly("User:platform-admin");
        assertThat(doc.allowEveryoneIfNoAclFound()).isFalse();
        assertThat(doc.bindings()).hasSize(20).contains(
                allow("User:payments-api", WRITE, TOPIC, "payments.", PREFIXED),
                allow("User:payments-worker", READ, GROUP, "payments.", PREFIXED),
                allow("User:payments-settlement", WRITE, TRANSACTIONAL_ID, "payments-settlement-", PREFIXED),
                allow("User:payments-settlement", READ, GROUP, "payments.settlement", LITERAL),
                allow("User:catalog-service", ALL, GROUP, "catalog.", PREFIXED),
                allow("User:search-indexer", READ, TOPIC, "payments.settled", LITERAL),
                deny("User:*", DELETE, TOPIC, "*", LITERAL));
        assertThat(doc.bindings()).doesNotContain(
                allow("User:search-indexer", WRITE, TOPIC, "payments.settled", LITERAL));
    }

    @Test
    void mskStyle() {
        PolicyDocument doc = example("msk-style.yaml");

        assertThat(doc.superUsers()).containsExactly("User:CN=ops-admin,OU=platform");
        assertThat(doc.allowEveryoneIfNoAclFound()).isTrue();
        assertThat(doc.bindings()).hasSize(14).contains(
                allow("User:CN=payments-api,OU=payments", WRITE, TOPIC, "payments.", PREFIXED),
                allow("User:CN=ledger,OU=finance", DESCRIBE, GROUP, "ledger", LITERAL),
                deny("User:*", ALTER, TOPIC, "*", LITERAL),
                deny("User:*", ALTER_CONFIGS, TOPIC, "*", LITERAL),
                deny("User:CN=legacy-batch,OU=analytics", WRITE, TOPIC, "*", LITERAL),
                of("User:*", "10.20.30.40", ALL, DENY, CLUSTER, "kafka-cluster", LITERAL),
                of("User:*", "10.20.30.40", ALL, DENY, TRANSACTIONAL_ID, "*", LITERAL));
        assertThat(doc.bindings()).filteredOn(b -> b.entry().permissionType() == DENY).hasSize(8);
    }
}
