package io.warden.gateway.enforce;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Metadata: DESCRIBE on each topic. Asked for all topics, the client sees only those it may describe, silently; asked
 * for named topics, it gets TOPIC_AUTHORIZATION_FAILED for those it may not describe — whether they exist or not;
 * asked for topics by id (v12+), the same error with the id and no name, as Kafka answers.
 * Auto-creation is authorized topic by topic, as Kafka does: a missing topic is auto-created only for a principal with
 * CREATE (on the cluster or the topic), and Warden's own topics ({@link Access#reserved}) for none; a missing one it
 * may not create is answered TOPIC_AUTHORIZATION_FAILED, whatever its name (Kafka checks CREATE before the name). A
 * request naming topics the principal may not create goes to the broker with auto-creation off, and those it may
 * create that the answer shows missing are then named in a Metadata request of the gateway's own with auto-creation on
 * ({@link Verdict.Forward#autoCreate}): the broker creates them as it would for the client (only if its
 * {@code auto.create.topics.enable} allows, with its defaults), and is never asked to create one the principal may
 * not. One whose name no topic can have the broker answers INVALID_TOPIC_EXCEPTION, asked with auto-creation on or
 * off, so it is never asked for. CREATE is checked only where the brokers auto-create topics
 * ({@link Access#clusterAutoCreatesTopics}), as Kafka checks it only where it would create: where they do not, a
 * missing topic is answered as the broker answers it, and nothing is asked to be created. Authorized-operation
 * fields are computed for the client's principal, not taken from the broker (which answers the gateway); the
 * cluster's (v8-10) only when it may DESCRIBE the cluster, else 0, as Kafka answers.
 * Before v4 a request cannot switch auto-creation off (the broker creates any missing topic it names), so one naming
 * a topic the principal may not create goes to the broker as a v4 request with auto-creation off, and the answer is
 * encoded at the client's version (kafka-python, for one, asks with v1); so does a v0 request left with no topic
 * once those the principal may not describe are taken out (an empty list in v0 asks for every topic).
 */
final class MetadataEnforcer implements ApiEnforcer {

    private static final short AUTO_CREATE_FLAG = 4;
    private static final short AUTHORIZED_OPERATIONS = 8;
    private static final short LAST_CLUSTER_OPERATIONS = 10;
    /** The first version that asks for topics by id (and may answer without a name). */
    private static final short TOPIC_IDS = 12;

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        MetadataRequestData request = (MetadataRequestData) message;
        boolean allTopics = request.topics() == null || version == 0 && request.topics().isEmpty();
        List<String> denied = new ArrayList<>();
        boolean changed = false;
        boolean creationTurnedOff = false;
        short upstreamVersion = Verdict.Forward.CLIENT_VERSION;
        Set<Uuid> askedById = new HashSet<>();
        if (!allTopics && version >= TOPIC_IDS) {
            // As Kafka's broker: a request naming any topic id asks by id, and the names it carries are ignored.
            for (MetadataRequestTopic topic : request.topics()) {
                if (!Uuid.ZERO_UUID.equals(topic.topicId())) {
                    askedById.add(topic.topicId());
                }
            }
        }
        List<String> autoCreate = List.of();
        // Kafka checks CREATE only where it would auto-create; where the brokers do not, nothing is created, and the
        // request still goes with auto-creation off, should their setting have changed since the gateway read it.
        boolean clusterCreates = access.clusterAutoCreatesTopics();
        if (!allTopics && askedById.isEmpty()) {
            List<MetadataRequestTopic> allowed = new ArrayList<>();
            List<String> creatable = new ArrayList<>();
            boolean mayCreate = clusterCreates;
            for (MetadataRequestTopic topic : request.topics()) {
                String name = topic.name();
                if (name == null) {
                    allowed.add(topic);
                } else if (access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
                    allowed.add(topic);
                    if (clusterCreates && mayCreate(access, name)) {
                        creatable.add(name);
                    } else {
                        mayCreate = false;
                    }
                } else {
                    denied.add(name);
                }
            }
            if (!denied.isEmpty()) {
                request.setTopics(allowed);
                changed = true;
            }
            if (version < AUTO_CREATE_FLAG && (!mayCreate || version == 0 && allowed.isEmpty())) {
                // v4 can say "create nothing", and an empty list there asks for no topic (in v0, for every topic)
                upstreamVersion = AUTO_CREATE_FLAG;
            }
            if ((version < AUTO_CREATE_FLAG || request.allowAutoTopicCreation()) && !mayCreate) {
                request.setAllowAutoTopicCreation(false);
                changed = true;
                creationTurnedOff = true;
                // As Kafka authorizes CREATE topic by topic: those the principal may create are still auto-created.
                autoCreate = creatable;
            }
        }
        boolean answerMissingAsUnauthorized = creationTurnedOff && clusterCreates;
        boolean topicOperations = version >= AUTHORIZED_OPERATIONS && request.includeTopicAuthorizedOperations();
        boolean clusterOperations = version >= AUTHORIZED_OPERATIONS && version <= LAST_CLUSTER_OPERATIONS
                && request.includeClusterAuthorizedOperations();
        return new Verdict.Forward(changed ? request : null, edit -> {
            MetadataResponseData response = (MetadataResponseData) edit;
            List<MetadataResponseTopic> hidden = new ArrayList<>();
            for (MetadataResponseTopic topic : response.topics()) {
                if (topic.name() == null) {
                    // An id the broker does not know (UNKNOWN_TOPIC_ID): Kafka answers it as it is, with no name and
                    // no authorized operations.
                    continue;
                }
                if (!access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, topic.name())) {
                    hidden.add(topic);
                } else {
                    if (answerMissingAsUnauthorized && missing(topic) && !mayCreate(access, topic.name())) {
                        // Asked to create it, Kafka answers a missing topic the principal may not create so, before it
                        // looks at the name: the broker, asked with auto-creation off, answers an invalid one
                        // INVALID_TOPIC_EXCEPTION.
                        topic.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    }
                    if (topicOperations) {
                        topic.setTopicAuthorizedOperations(access.authorizedOperations(ResourceType.TOPIC, topic.name(), Access.TOPIC_OPERATIONS));
                    }
                }
            }
            hidden.forEach(response.topics()::remove);
            for (MetadataResponseTopic topic : hidden) {
                if (askedById.contains(topic.topicId())) {
                    // Asked for by id, Kafka answers with the id (ids are not secret) and no name.
                    response.topics().add(new MetadataResponseTopic().setName(null).setTopicId(topic.topicId())
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setIsInternal(false));
                }
            }
            for (String name : denied) {
                response.topics().add(new MetadataResponseTopic().setName(name)
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setIsInternal(false));
            }
            if (clusterOperations) {
                response.setClusterAuthorizedOperations(access.clusterAuthorizedOperations());
            }
        }, null, upstreamVersion, autoCreate);
    }

    /** Whether the broker answers the topic as missing: unknown, or with a name no topic can have. */
    private static boolean missing(MetadataResponseTopic topic) {
        return topic.errorCode() == Errors.UNKNOWN_TOPIC_OR_PARTITION.code() || topic.errorCode() == Errors.INVALID_TOPIC_EXCEPTION.code();
    }

    /** CREATE on the cluster or on the topic, as Kafka's auto-creation asks; never one of Warden's own topics. */
    private static boolean mayCreate(Access access, String topic) {
        return !access.reserved(AclOperation.CREATE, topic)
                && (access.allowedOnCluster(AclOperation.CREATE) || access.allowed(AclOperation.CREATE, ResourceType.TOPIC, topic));
    }
}
