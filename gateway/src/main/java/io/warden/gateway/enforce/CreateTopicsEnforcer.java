package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

import java.util.List;
import java.util.Set;

/**
 * CreateTopics (ControllerApis.createTopics, the same for validateOnly): CREATE on the cluster, or else CREATE on each
 * topic; a topic without it gets TOPIC_AUTHORIZATION_FAILED ("Authorization failed."), and so does one of Warden's own
 * topics ({@link Access#reserved}) whoever asks. Names given twice and
 * {@code __cluster_metadata} are left to the broker, which refuses them with INVALID_REQUEST before any check. The
 * configs of a created topic are shown only with DESCRIBE_CONFIGS on it (ReplicationControlManager): without it the
 * result has no configs, partition count or replication factor, and topicConfigErrorCode TOPIC_AUTHORIZATION_FAILED.
 */
final class CreateTopicsEnforcer implements ApiEnforcer {

    /** First version whose results carry the topic's configs. */
    static final short TOPIC_CONFIGS = 5;
    static final String AUTHORIZATION_FAILED = "Authorization failed.";

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        CreateTopicsRequestData request = (CreateTopicsRequestData) message;
        List<CreatableTopic> denied = null;
        boolean onCluster = access.allowedOnCluster(AclOperation.CREATE);
        for (CreatableTopic topic : request.topics()) {
            if (!Topic.CLUSTER_METADATA_TOPIC_NAME.equals(topic.name()) && !mayCreate(access, onCluster, topic.name())) {
                denied = Parts.add(denied, topic);
            }
        }
        if (denied != null) {
            Set<String> repeated = Parts.repeated(request.topics(), CreatableTopic::name);
            denied.removeIf(topic -> repeated.contains(topic.name()));
            if (denied.isEmpty()) {
                denied = null;
            }
        }
        if (denied != null) {
            Parts.removeAll(request.topics(), denied);
        }
        boolean hideConfigs = version >= TOPIC_CONFIGS && anyWithoutDescribeConfigs(access, request);
        if (denied == null && !hideConfigs) {
            return Verdict.FORWARD;
        }
        List<CreatableTopic> refused = denied;
        if (request.topics().isEmpty()) {
            CreateTopicsResponseData response = new CreateTopicsResponseData();
            refused.forEach(topic -> response.topics().add(denied(topic)));
            return new Verdict.Respond(response);
        }
        return new Verdict.Forward(refused == null ? null : request, edit -> {
            CreateTopicsResponseData response = (CreateTopicsResponseData) edit;
            if (hideConfigs) {
                for (CreatableTopicResult result : response.topics()) {
                    if (result.errorCode() == Errors.NONE.code()
                            && !access.allowed(AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, result.name())) {
                        result.configs().clear();
                        result.setNumPartitions(-1).setReplicationFactor((short) -1)
                                .setTopicConfigErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    }
                }
            }
            if (refused != null) {
                refused.forEach(topic -> response.topics().add(denied(topic)));
            }
        });
    }

    /** CREATE on the cluster stands for CREATE on every topic but Warden's own. */
    private static boolean mayCreate(Access access, boolean onCluster, String topic) {
        return onCluster ? !access.reserved(AclOperation.CREATE, topic) : access.allowed(AclOperation.CREATE, ResourceType.TOPIC, topic);
    }

    private static boolean anyWithoutDescribeConfigs(Access access, CreateTopicsRequestData request) {
        for (CreatableTopic topic : request.topics()) {
            if (!access.allowed(AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, topic.name())) {
                return true;
            }
        }
        return false;
    }

    private static CreatableTopicResult denied(CreatableTopic topic) {
        return new CreatableTopicResult().setName(topic.name())
                .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage(AUTHORIZATION_FAILED);
    }
}
