package io.warden.gateway.enforce;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * OffsetFetch, as Kafka 4.1's {@code handleOffsetFetchRequest}: DESCRIBE on each group, else that group gets
 * GROUP_AUTHORIZATION_FAILED (v2+ as the group's error, v1 on every requested partition) and never reaches the
 * coordinator. For named topics, DESCRIBE on each topic, else its partitions get TOPIC_AUTHORIZATION_FAILED after the
 * broker's topics (only when the group itself has no error, as Kafka); from v10 topics are named by id and an id the
 * gateway cannot resolve gets UNKNOWN_TOPIC_ID. For all topics (topics null), the broker's answer is filtered to the
 * topics the principal may describe, silently. v0-7 carry one group at the top level, v8+ a batch of groups.
 */
final class OffsetFetchEnforcer implements ApiEnforcer {

    /** First OffsetFetch version that batches groups. */
    static final short BATCH = 8;
    /** First OffsetFetch version that names topics by id. */
    static final short TOPIC_IDS = 10;
    /** First OffsetFetch version with a top-level (group) error code. */
    static final short TOP_LEVEL_ERROR = 2;

    @Override
    public Collection<Uuid> topicIds(short version, ApiMessage request) {
        if (version < TOPIC_IDS) {
            return List.of();
        }
        List<Uuid> ids = new ArrayList<>();
        for (OffsetFetchRequestGroup group : ((OffsetFetchRequestData) request).groups()) {
            if (group.topics() != null) {
                group.topics().forEach(t -> ids.add(t.topicId()));
            }
        }
        return ids;
    }

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        OffsetFetchRequestData request = (OffsetFetchRequestData) message;
        return version >= BATCH ? batched(access, version, request) : single(access, version, request);
    }

    // ---- v8+: a batch of groups -------------------------------------------------------------------------------

    private static Verdict batched(Access access, short version, OffsetFetchRequestData request) {
        boolean byId = version >= TOPIC_IDS;
        List<OffsetFetchRequestGroup> original = request.groups();
        int count = original.size();
        boolean[] deniedGroup = null;
        int deniedGroups = 0;
        boolean allTopics = false;
        List<List<OffsetFetchResponseTopics>> topicErrors = null;
        for (int i = 0; i < count; i++) {
            OffsetFetchRequestGroup group = original.get(i);
            if (!access.allowed(AclOperation.DESCRIBE, ResourceType.GROUP, group.groupId())) {
                if (deniedGroup == null) {
                    deniedGroup = new boolean[count];
                }
                deniedGroup[i] = true;
                deniedGroups++;
                continue;
            }
            if (group.topics() == null) {
                allTopics = true;
                continue;
            }
            List<OffsetFetchRequestTopics> denied = null;
            List<OffsetFetchResponseTopics> errors = null;
            for (OffsetFetchRequestTopics topic : group.topics()) {
                Errors error = check(access, byId, topic.name(), topic.topicId());
                if (error != Errors.NONE) {
                    if (denied == null) {
                        denied = new ArrayList<>();
                        errors = new ArrayList<>();
                    }
                    denied.add(topic);
                    errors.add(errorTopic(topic, error));
                }
            }
            if (denied != null) {
                group.topics().removeAll(denied);
                if (topicErrors == null) {
                    topicErrors = new ArrayList<>(Collections.nCopies(count, null));
                }
                topicErrors.set(i, errors);
            }
        }
        if (deniedGroups == 0 && !allTopics && topicErrors == null) {
            return Verdict.FORWARD;
        }
        if (deniedGroups == count) {
            OffsetFetchResponseData response = new OffsetFetchResponseData();
            original.forEach(g -> response.groups().add(groupError(g.groupId())));
            return new Verdict.Respond(response);
        }
        if (deniedGroups > 0) {
            List<OffsetFetchRequestGroup> forwarded = new ArrayList<>(count - deniedGroups);
            for (int i = 0; i < count; i++) {
                if (!deniedGroup[i]) {
                    forwarded.add(original.get(i));
                }
            }
            request.setGroups(forwarded);
        }
        boolean changed = deniedGroups > 0 || topicErrors != null;
        boolean[] groupDenied = deniedGroup;
        List<List<OffsetFetchResponseTopics>> errorsByGroup = topicErrors;
        return new Verdict.Forward(changed ? request : null, edit -> {
            OffsetFetchResponseData response = (OffsetFetchResponseData) edit;
            Map<String, ArrayDeque<OffsetFetchResponseGroup>> answered = new HashMap<>();
            for (OffsetFetchResponseGroup group : response.groups()) {
                answered.computeIfAbsent(group.groupId(), k -> new ArrayDeque<>()).add(group);
            }
            List<OffsetFetchResponseGroup> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                OffsetFetchRequestGroup group = original.get(i);
                if (groupDenied != null && groupDenied[i]) {
                    out.add(groupError(group.groupId()));
                    continue;
                }
                ArrayDeque<OffsetFetchResponseGroup> queue = answered.get(group.groupId());
                OffsetFetchResponseGroup answer = queue == null ? null : queue.poll();
                if (answer == null) {
                    continue;
                }
                if (answer.errorCode() == Errors.NONE.code()) {
                    if (group.topics() == null) {
                        answer.topics().removeIf(t -> !describable(access, byId, t.name(), t.topicId()));
                    } else if (errorsByGroup != null && errorsByGroup.get(i) != null) {
                        answer.topics().addAll(errorsByGroup.get(i));
                    }
                }
                out.add(answer);
            }
            answered.values().forEach(out::addAll);
            response.setGroups(out);
        });
    }

    private static OffsetFetchResponseGroup groupError(String groupId) {
        return new OffsetFetchResponseGroup().setGroupId(groupId).setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code());
    }

    private static OffsetFetchResponseTopics errorTopic(OffsetFetchRequestTopics topic, Errors error) {
        OffsetFetchResponseTopics out = new OffsetFetchResponseTopics().setName(topic.name()).setTopicId(topic.topicId());
        topic.partitionIndexes().forEach(p -> out.partitions().add(new OffsetFetchResponsePartitions()
                .setPartitionIndex(p).setCommittedOffset(-1).setErrorCode(error.code())));
        return out;
    }

    // ---- v1-7: one group at the top level ---------------------------------------------------------------------

    private static Verdict single(Access access, short version, OffsetFetchRequestData request) {
        if (!access.allowed(AclOperation.DESCRIBE, ResourceType.GROUP, request.groupId())) {
            OffsetFetchResponseData response = new OffsetFetchResponseData();
            if (version >= TOP_LEVEL_ERROR) {
                response.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code());
            } else if (request.topics() != null) {
                request.topics().forEach(t -> response.topics().add(errorTopic(t, Errors.GROUP_AUTHORIZATION_FAILED)));
            }
            return new Verdict.Respond(response);
        }
        if (request.topics() == null) {
            return new Verdict.Forward(null, edit -> {
                OffsetFetchResponseData response = (OffsetFetchResponseData) edit;
                if (response.errorCode() == Errors.NONE.code()) {
                    response.topics().removeIf(t -> !describable(access, false, t.name(), null));
                }
            });
        }
        List<OffsetFetchRequestTopic> denied = null;
        for (OffsetFetchRequestTopic topic : request.topics()) {
            if (!access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, topic.name())) {
                if (denied == null) {
                    denied = new ArrayList<>();
                }
                denied.add(topic);
            }
        }
        if (denied == null) {
            return Verdict.FORWARD;
        }
        List<OffsetFetchResponseTopic> errors = new ArrayList<>(denied.size());
        denied.forEach(t -> errors.add(errorTopic(t, Errors.TOPIC_AUTHORIZATION_FAILED)));
        request.topics().removeAll(denied);
        return new Verdict.Forward(request, edit -> {
            OffsetFetchResponseData response = (OffsetFetchResponseData) edit;
            if (version < TOP_LEVEL_ERROR || response.errorCode() == Errors.NONE.code()) {
                response.topics().addAll(errors);
            }
        });
    }

    /** Kafka's error entry for a v0-7 topic: no offset, no metadata, no leader epoch. */
    private static OffsetFetchResponseTopic errorTopic(OffsetFetchRequestTopic topic, Errors error) {
        OffsetFetchResponseTopic out = new OffsetFetchResponseTopic().setName(topic.name());
        topic.partitionIndexes().forEach(p -> out.partitions().add(new OffsetFetchResponsePartition()
                .setPartitionIndex(p).setErrorCode(error.code()).setCommittedOffset(-1).setMetadata("")
                .setCommittedLeaderEpoch(-1)));
        return out;
    }

    // ---- shared -----------------------------------------------------------------------------------------------

    private static Errors check(Access access, boolean byId, String name, Uuid id) {
        if (byId) {
            Optional<String> resolved = access.topicName(id);
            if (resolved.isEmpty() || resolved.get().isEmpty()) {
                return Errors.UNKNOWN_TOPIC_ID;
            }
            name = resolved.get();
        }
        return access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, name) ? Errors.NONE : Errors.TOPIC_AUTHORIZATION_FAILED;
    }

    /** For the all-topics answer: may the principal see this topic? An id the gateway cannot name stays hidden. */
    private static boolean describable(Access access, boolean byId, String name, Uuid id) {
        if (byId) {
            name = access.topicName(id).orElse(null);
        }
        return name != null && access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, name);
    }
}
