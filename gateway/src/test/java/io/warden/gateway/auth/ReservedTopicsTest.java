package io.warden.gateway.auth;

import io.warden.gateway.enforce.Access;
import io.warden.gateway.enforce.RecordingAccess;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ReservedTopicsTest {

    /** A principal the policy lets do anything, as a super user. */
    private static final Access EVERYTHING = new Access() {
        @Override
        public String principal() {
            return "User:admin";
        }

        @Override
        public boolean allowed(AclOperation operation, ResourceType type, String name) {
            return true;
        }

        @Override
        public boolean allowedOnAny(AclOperation operation, ResourceType type) {
            return true;
        }

        @Override
        public Optional<String> topicName(Uuid id) {
            return Optional.empty();
        }
    };

    private final Access guarded = ReservedTopics.of("warden-policy", "warden-audit").guard(EVERYTHING);

    @Test
    void thePolicyTopicCanOnlyBeDescribed() {
        for (AclOperation op : new AclOperation[]{AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE,
                AclOperation.DELETE, AclOperation.ALTER, AclOperation.ALTER_CONFIGS}) {
            assertThat(guarded.allowed(op, ResourceType.TOPIC, "warden-policy")).as(op.name()).isFalse();
        }
        assertThat(guarded.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, "warden-policy")).isTrue();
        assertThat(guarded.allowed(AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, "warden-policy")).isTrue();
    }

    @Test
    void theAuditTopicCanBeReadButNeverWrittenDeletedOrReconfigured() {
        assertThat(guarded.allowed(AclOperation.READ, ResourceType.TOPIC, "warden-audit")).isTrue();
        assertThat(guarded.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, "warden-audit")).isTrue();
        for (AclOperation op : new AclOperation[]{AclOperation.WRITE, AclOperation.CREATE, AclOperation.DELETE,
                AclOperation.ALTER, AclOperation.ALTER_CONFIGS}) {
            assertThat(guarded.allowed(op, ResourceType.TOPIC, "warden-audit")).as(op.name()).isFalse();
        }
    }

    @Test
    void reservedNamesWhatNoPermissionOnTheClusterMayReach() {
        assertThat(guarded.reserved(AclOperation.CREATE, "warden-audit")).isTrue();
        assertThat(guarded.reserved(AclOperation.DELETE, "warden-policy")).isTrue();
        assertThat(guarded.reserved(AclOperation.DESCRIBE, "warden-policy")).isFalse();
        assertThat(guarded.reserved(AclOperation.DELETE, "orders")).isFalse();
        RecordingAccess recording = new RecordingAccess(guarded);
        assertThat(recording.reserved(AclOperation.DELETE, "warden-audit")).isTrue();
        assertThat(recording.denied()).containsExactly("DELETE topic:warden-audit");
    }

    @Test
    void otherResourcesAreLeftToThePolicy() {
        assertThat(guarded.allowed(AclOperation.WRITE, ResourceType.TOPIC, "orders")).isTrue();
        assertThat(guarded.allowed(AclOperation.READ, ResourceType.GROUP, "warden-policy")).isTrue();
        assertThat(ReservedTopics.NONE.guard(EVERYTHING)).isSameAs(EVERYTHING);
    }
}
