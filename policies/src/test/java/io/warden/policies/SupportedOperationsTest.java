package io.warden.policies;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.security.authorizer.AclEntry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The operations a policy may grant per resource type are the ones the Kafka release we build against accepts. */
class SupportedOperationsTest {

    @ParameterizedTest
    @EnumSource(ResourceKind.class)
    void matchKafkasAclEntryPlusAll(ResourceKind kind) {
        Set<AclOperation> kafka = EnumSet.copyOf(AclEntry.supportedOperations(kind.type()));
        kafka.add(AclOperation.ALL);

        assertThat(kind.operations()).isEqualTo(kafka);
    }
}
