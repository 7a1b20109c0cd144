package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ListGroups, as Kafka 4.1's {@code handleListGroupsRequest}: with DESCRIBE on the cluster the client sees every
 * group; otherwise the broker's answer is filtered, silently, to the groups the client may DESCRIBE.
 */
final class ListGroupsEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage request) {
        if (access.allowedOnCluster(AclOperation.DESCRIBE)) {
            return Verdict.FORWARD;
        }
        return new Verdict.Forward(null, edit -> ((ListGroupsResponseData) edit).groups()
                .removeIf(g -> !access.allowed(AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId())));
    }
}
