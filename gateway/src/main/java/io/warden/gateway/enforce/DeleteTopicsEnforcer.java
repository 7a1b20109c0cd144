package io.warden.gateway.enforce;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * DeleteTopics (ControllerApis.deleteTopics): DELETE on the cluster, or else DELETE on each topic. DELETE on the
 * cluster stands for DESCRIBE and DELETE on every topic except Warden's own ({@link Access#reserved}), which get
 * TOPIC_AUTHORIZATION_FAILED whoever asks. In Kafka's order:
 * <ul>
 *   <li>by name: without DESCRIBE, TOPIC_AUTHORIZATION_FAILED whether the topic exists or not; with DESCRIBE but not
 *       DELETE, TOPIC_AUTHORIZATION_FAILED;</li>
 *   <li>by id (v6+): an id the gateway cannot resolve is UNKNOWN_TOPIC_ID (and never reaches the broker, which might
 *       know it); a resolved one without DELETE is TOPIC_AUTHORIZATION_FAILED, with its name only if the principal
 *       may DESCRIBE the topic, so an id never reveals a hidden name.</li>
 * </ul>
 * Names or ids given twice, and entries with both or neither, are left to the broker: it answers INVALID_REQUEST and
 * deletes nothing, before any check.
 */
final class DeleteTopicsEnforcer implements ApiEnforcer {

    /** First version that names topics in DeleteTopicState entries, by name or id. */
    static final short TOPIC_IDS = 6;
    /** First version whose results carry an error message. */
    static final short ERROR_MESSAGES = 5;

    @Override
    public Collection<Uuid> topicIds(short version, ApiMessage request) {
        if (version < TOPIC_IDS) {
            return List.of();
        }
        List<Uuid> ids = new ArrayList<>();
        for (DeleteTopicState topic : ((DeleteTopicsRequestData) request).topics()) {
            if (byId(topic)) {
                ids.add(topic.topicId());
            }
        }
        return ids;
    }

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        DeleteTopicsRequestData request = (DeleteTopicsRequestData) message;
        boolean onCluster = access.allowedOnCluster(AclOperation.DELETE);
        List<DeletableTopicResult> errors = version >= TOPIC_IDS ? byState(access, onCluster, version, request)
                : namesOnly(access, onCluster, version, request);
        if (errors == null) {
            return Verdict.FORWARD;
        }
        if (request.topics().isEmpty() && request.topicNames().isEmpty()) {
            DeleteTopicsResponseData response = new DeleteTopicsResponseData();
            errors.forEach(response.responses()::add);
            return new Verdict.Respond(response);
        }
        return new Verdict.Forward(request, edit -> errors.forEach(((DeleteTopicsResponseData) edit).responses()::add));
    }

    /** v1-5: topic names only. */
    private static List<DeletableTopicResult> namesOnly(Access access, boolean onCluster, short version,
                                                        DeleteTopicsRequestData request) {
        List<String> denied = null;
        for (String name : request.topicNames()) {
            if (!mayDeleteByName(access, onCluster, name)) {
                denied = Parts.add(denied, name);
            }
        }
        if (denied == null) {
            return null;
        }
        Set<String> repeated = Parts.repeated(request.topicNames(), name -> name);
        denied.removeIf(repeated::contains);
        if (denied.isEmpty()) {
            return null;
        }
        Parts.removeAll(request.topicNames(), denied);
        List<DeletableTopicResult> errors = new ArrayList<>();
        denied.forEach(name -> errors.add(error(version, name, Uuid.ZERO_UUID, Errors.TOPIC_AUTHORIZATION_FAILED)));
        return errors;
    }

    /** v6+: each topic by name or by id. */
    private static List<DeletableTopicResult> byState(Access access, boolean onCluster, short version,
                                                      DeleteTopicsRequestData request) {
        List<DeleteTopicState> denied = null;
        List<DeletableTopicResult> errors = null;
        Set<Object> repeated = null;
        for (DeleteTopicState topic : request.topics()) {
            boolean named = byName(topic);
            DeletableTopicResult error = null;
            if (named && !mayDeleteByName(access, onCluster, topic.name())) {
                error = error(version, topic.name(), Uuid.ZERO_UUID, Errors.TOPIC_AUTHORIZATION_FAILED);
            } else if (byId(topic)) {
                String name = access.topicName(topic.topicId()).orElse(null);
                if (name == null) {
                    error = error(version, null, topic.topicId(), Errors.UNKNOWN_TOPIC_ID);
                } else if (onCluster ? access.reserved(AclOperation.DELETE, name)
                        : !access.allowed(AclOperation.DELETE, ResourceType.TOPIC, name)) {
                    boolean shown = onCluster || access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, name);
                    error = error(version, shown ? name : null, topic.topicId(), Errors.TOPIC_AUTHORIZATION_FAILED);
                }
            }
            if (error == null) {
                continue;
            }
            if (repeated == null) {
                repeated = Parts.repeated(request.topics(), DeleteTopicsEnforcer::key);
            }
            if (!repeated.contains(key(topic))) {
                denied = Parts.add(denied, topic);
                errors = Parts.add(errors, error);
            }
        }
        if (denied != null) {
            Parts.removeAll(request.topics(), denied);
        }
        return errors;
    }

    /**
     * A topic named in the request: Kafka checks DESCRIBE before DELETE, so a DENY DESCRIBE stops a delete that an
     * ALLOW DELETE (or ALL) would let through; DELETE on the cluster stands for both.
     */
    private static boolean mayDeleteByName(Access access, boolean onCluster, String name) {
        if (onCluster) {
            return !access.reserved(AclOperation.DELETE, name);
        }
        return access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, name)
                && access.allowed(AclOperation.DELETE, ResourceType.TOPIC, name);
    }

    private static boolean byName(DeleteTopicState topic) {
        return topic.name() != null && Uuid.ZERO_UUID.equals(topic.topicId());
    }

    private static boolean byId(DeleteTopicState topic) {
        return topic.name() == null && !Uuid.ZERO_UUID.equals(topic.topicId());
    }

    /** What makes two entries duplicates for Kafka: the same name given by name, or the same id given by id. */
    private static Object key(DeleteTopicState topic) {
        return byName(topic) ? topic.name() : byId(topic) ? topic.topicId() : topic;
    }

    private static DeletableTopicResult error(short version, String name, Uuid id, Errors error) {
        DeletableTopicResult result = new DeletableTopicResult().setName(name).setTopicId(id).setErrorCode(error.code());
        return version >= ERROR_MESSAGES ? result.setErrorMessage(error.message()) : result;
    }
}
