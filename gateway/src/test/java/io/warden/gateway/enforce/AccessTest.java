package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.security.authorizer.AclEntry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AccessTest {

    /**
     * A broker reports, as a resource's authorized operations, each operation its authorizer supports on that type
     * that the principal may perform; the gateway must weigh the same ones, as Kafka's own table lists them.
     */
    @ParameterizedTest
    @EnumSource(value = ResourceType.class, names = {"TOPIC", "GROUP", "CLUSTER"})
    void authorizedOperationsAreWeighedOverTheOperationsKafkaSupportsOnTheResource(ResourceType type) {
        Map<ResourceType, List<AclOperation>> reported = Map.of(ResourceType.TOPIC, Access.TOPIC_OPERATIONS,
                ResourceType.GROUP, Access.GROUP_OPERATIONS, ResourceType.CLUSTER, Access.CLUSTER_OPERATIONS);
        assertThat(reported.get(type)).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(AclEntry.supportedOperations(type));
    }
}
