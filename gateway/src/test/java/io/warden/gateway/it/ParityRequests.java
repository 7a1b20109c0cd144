package io.warden.gateway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Hand-made requests, each one mixing what a principal may and may not do, for {@link KafkaParityIT} to send straight
 * to a broker and through Warden on connections logged in as the same user, and the answers made comparable: the
 * fields that differ between two sends for reasons other than authorization (addresses, offsets and ids each send
 * creates anew, times) are reduced to what they say about the outcome.
 */
final class ParityRequests {

    /** One request: its API, the highest version it is sent at, and its body for these topic ids. */
    record Probe(String name, ApiKeys api, short maxVersion, Function<Map<String, Uuid>, ApiMessage> body, Set<String> fresh) {
        Probe(String name, ApiKeys api, short maxVersion, Function<Map<String, Uuid>, ApiMessage> body) {
            this(name, api, maxVersion, body, Set.of());
        }
    }

    /** Fields whose value is a fresh number or name at each send, or an address: compared by whether they are set. */
    private static final Set<String> FRESH = Set.of("baseOffset", "logAppendTimeMs", "logStartOffset", "highWatermark",
            "lastStableOffset", "producerId", "producerEpoch", "memberId", "offset", "timestamp", "leaderEpoch", "lowWatermark",
            "lastSequence", "lastTimestamp", "coordinatorEpoch", "currentTxnStartOffset", "transactionStartTimeMs",
            "host", "port", "nodeId", "leaderId", "coordinatorId", "controllerId", "records", "partitionSize", "usableBytes",
            "totalBytes", "size", "offsetLag", "generationId", "transactionTimeoutMs", "endOffset");

    private ParityRequests() {
    }

    static List<Probe> probes() {
        List<Probe> p = new ArrayList<>();
        p.add(new Probe("Metadata, every topic", ApiKeys.METADATA, (short) 12, ids -> new MetadataRequestData().setTopics(null)
                .setAllowAutoTopicCreation(false).setIncludeTopicAuthorizedOperations(true)));
        p.add(new Probe("Metadata, named, may auto-create", ApiKeys.METADATA, (short) 12, ids -> new MetadataRequestData()
                .setTopics(topics(List.of("orders.a", "orders.secret", "public", "private", "missing", "new-auto", "bad name!")))
                .setAllowAutoTopicCreation(true).setIncludeTopicAuthorizedOperations(true)));
        p.add(new Probe("Metadata, by id", ApiKeys.METADATA, (short) 12, ids -> new MetadataRequestData().setTopics(List.of(
                new MetadataRequestData.MetadataRequestTopic().setTopicId(ids.get("orders.a")),
                new MetadataRequestData.MetadataRequestTopic().setTopicId(ids.get("private")),
                new MetadataRequestData.MetadataRequestTopic().setTopicId(Uuid.ONE_UUID)))));
        p.add(new Probe("Produce by name", ApiKeys.PRODUCE, (short) 12, ids -> produce(ids, false)));
        p.add(new Probe("Produce by id", ApiKeys.PRODUCE, (short) 13, ids -> produce(ids, true)));
        p.add(new Probe("Fetch by name", ApiKeys.FETCH, (short) 12, ids -> fetch(ids, false)));
        p.add(new Probe("Fetch by id", ApiKeys.FETCH, (short) 17, ids -> fetch(ids, true)));
        p.add(new Probe("ListOffsets", ApiKeys.LIST_OFFSETS, (short) 9, ids -> new ListOffsetsRequestData().setReplicaId(-1)
                .setTopics(each(List.of("orders.a", "orders.secret", "public", "private", "missing"), t -> new ListOffsetsRequestData.ListOffsetsTopic()
                        .setName(t).setPartitions(List.of(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1)))))));
        p.add(new Probe("OffsetForLeaderEpoch", ApiKeys.OFFSET_FOR_LEADER_EPOCH, (short) 4, ids -> {
            OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection topics = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
            for (String t : List.of("orders.a", "public", "private", "missing")) {
                topics.add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(t).setPartitions(List.of(
                        new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0).setLeaderEpoch(0))));
            }
            return new OffsetForLeaderEpochRequestData().setReplicaId(-1).setTopics(topics);
        }));
        for (String group : List.of("g-b", "h")) {
            p.add(new Probe("OffsetCommit " + group, ApiKeys.OFFSET_COMMIT, (short) 9, ids -> new OffsetCommitRequestData().setGroupId(group)
                    .setGenerationIdOrMemberEpoch(-1).setMemberId("").setTopics(each(List.of("orders.a", "private", "missing"),
                            t -> new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(t).setPartitions(List.of(
                                    new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1)))))));
        }
        // v10 names topics by id (KIP-848's groups), as Produce v13 and Fetch v13 do
        p.add(new Probe("OffsetCommit g-b by id", ApiKeys.OFFSET_COMMIT, (short) 10, ids -> new OffsetCommitRequestData().setGroupId("g-b")
                .setGenerationIdOrMemberEpoch(-1).setMemberId("").setTopics(each(List.of("orders.a", "private", "missing"),
                        t -> new OffsetCommitRequestData.OffsetCommitRequestTopic().setTopicId(ids.getOrDefault(t, Uuid.ONE_UUID))
                                .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                                        .setCommittedOffset(1)))))));
        p.add(new Probe("OffsetFetch by id, three groups", ApiKeys.OFFSET_FETCH, (short) 10, ids -> new OffsetFetchRequestData().setGroups(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("g-a").setTopics(null),
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("g-b").setTopics(each(List.of("orders.a", "private", "missing"),
                        t -> new OffsetFetchRequestData.OffsetFetchRequestTopics().setTopicId(ids.getOrDefault(t, Uuid.ONE_UUID))
                                .setPartitionIndexes(List.of(0, 1)))),
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("h").setTopics(null)))));
        p.add(new Probe("OffsetFetch, three groups", ApiKeys.OFFSET_FETCH, (short) 9, ids -> new OffsetFetchRequestData().setGroups(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("g-a").setTopics(null),
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("g-b").setTopics(each(List.of("orders.a", "private", "missing"),
                        t -> new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(t).setPartitionIndexes(List.of(0, 1)))),
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("h").setTopics(null)))));
        p.add(new Probe("OffsetDelete", ApiKeys.OFFSET_DELETE, (short) 0, ids -> {
            OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
            for (String t : List.of("private", "missing")) {
                topics.add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName(t).setPartitions(List.of(
                        new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0))));
            }
            return new OffsetDeleteRequestData().setGroupId("g-b").setTopics(topics);
        }));
        p.add(new Probe("FindCoordinator, groups", ApiKeys.FIND_COORDINATOR, (short) 6, ids -> new FindCoordinatorRequestData()
                .setKeyType((byte) 0).setCoordinatorKeys(List.of("g-a", "g-b", "h"))));
        p.add(new Probe("FindCoordinator, transactions", ApiKeys.FIND_COORDINATOR, (short) 6, ids -> new FindCoordinatorRequestData()
                .setKeyType((byte) 1).setCoordinatorKeys(List.of("tx-a-raw", "tx-b"))));
        p.add(new Probe("DescribeGroups", ApiKeys.DESCRIBE_GROUPS, (short) 6, ids -> new DescribeGroupsRequestData()
                .setGroups(List.of("g-a", "g-b", "h", "g-missing")).setIncludeAuthorizedOperations(true)));
        p.add(new Probe("ConsumerGroupDescribe", ApiKeys.CONSUMER_GROUP_DESCRIBE, (short) 1, ids -> new ConsumerGroupDescribeRequestData()
                .setGroupIds(List.of("g-a", "h", "g-missing")).setIncludeAuthorizedOperations(true)));
        p.add(new Probe("ListGroups", ApiKeys.LIST_GROUPS, (short) 5, ids -> new ListGroupsRequestData()));
        p.add(new Probe("JoinGroup", ApiKeys.JOIN_GROUP, (short) 9, ids -> {
            JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
            protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0]));
            return new JoinGroupRequestData().setGroupId("g-b").setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000)
                    .setMemberId("").setProtocolType("consumer").setProtocols(protocols).setReason("parity");
        }));
        p.add(new Probe("Heartbeat", ApiKeys.HEARTBEAT, (short) 4, ids -> new HeartbeatRequestData().setGroupId("g-a")
                .setGenerationId(1).setMemberId("nobody")));
        p.add(new Probe("InitProducerId, idempotent", ApiKeys.INIT_PRODUCER_ID, (short) 5, ids -> new InitProducerIdRequestData()
                .setTransactionalId(null).setTransactionTimeoutMs(60_000).setProducerId(-1).setProducerEpoch((short) -1)));
        p.add(new Probe("InitProducerId, transactional", ApiKeys.INIT_PRODUCER_ID, (short) 5, ids -> new InitProducerIdRequestData()
                .setTransactionalId("tx-a-raw").setTransactionTimeoutMs(60_000).setProducerId(-1).setProducerEpoch((short) -1)));
        p.add(new Probe("AddPartitionsToTxn", ApiKeys.ADD_PARTITIONS_TO_TXN, (short) 3, ids -> {
            AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
            for (String t : List.of("orders.a", "private")) {
                topics.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName(t).setPartitions(List.of(0)));
            }
            return new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId("tx-a-raw").setV3AndBelowProducerId(999_999)
                    .setV3AndBelowProducerEpoch((short) 0).setV3AndBelowTopics(topics);
        }));
        p.add(new Probe("AddOffsetsToTxn", ApiKeys.ADD_OFFSETS_TO_TXN, (short) 4, ids -> new AddOffsetsToTxnRequestData()
                .setTransactionalId("tx-a-raw").setProducerId(999_999).setProducerEpoch((short) 0).setGroupId("h")));
        p.add(new Probe("TxnOffsetCommit", ApiKeys.TXN_OFFSET_COMMIT, (short) 3, ids -> new TxnOffsetCommitRequestData()
                .setTransactionalId("tx-a-raw").setGroupId("g-a").setProducerId(999_999).setProducerEpoch((short) 0)
                .setGenerationId(-1).setMemberId("").setTopics(each(List.of("orders.a", "private"), t ->
                        new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName(t).setPartitions(List.of(
                                new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1)))))));
        p.add(new Probe("EndTxn", ApiKeys.END_TXN, (short) 4, ids -> new EndTxnRequestData().setTransactionalId("tx-b")
                .setProducerId(999_999).setProducerEpoch((short) 0).setCommitted(true)));
        p.add(new Probe("CreateTopics, validate only", ApiKeys.CREATE_TOPICS, (short) 7, ids -> {
            CreateTopicsRequestData.CreatableTopicCollection topics = new CreateTopicsRequestData.CreatableTopicCollection();
            for (String t : List.of("new-raw", "orders.n-raw", "other-raw", "orders.a")) {
                topics.add(new CreateTopicsRequestData.CreatableTopic().setName(t).setNumPartitions(1).setReplicationFactor((short) 1));
            }
            return new CreateTopicsRequestData().setTopics(topics).setTimeoutMs(10_000).setValidateOnly(true);
        }, Set.of("topicId"))); // a topic only validated gets an id of its own at each request
        p.add(new Probe("CreatePartitions, validate only", ApiKeys.CREATE_PARTITIONS, (short) 3, ids -> {
            CreatePartitionsRequestData.CreatePartitionsTopicCollection topics = new CreatePartitionsRequestData.CreatePartitionsTopicCollection();
            for (String t : List.of("orders.a", "private", "missing")) {
                topics.add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName(t).setCount(3).setAssignments(null));
            }
            return new CreatePartitionsRequestData().setTopics(topics).setTimeoutMs(10_000).setValidateOnly(true);
        }));
        p.add(new Probe("DeleteTopics, missing by name and id", ApiKeys.DELETE_TOPICS, (short) 6, ids -> new DeleteTopicsRequestData()
                .setTopics(List.of(new DeleteTopicsRequestData.DeleteTopicState().setName("missing"),
                        new DeleteTopicsRequestData.DeleteTopicState().setTopicId(Uuid.ONE_UUID))).setTimeoutMs(10_000)));
        p.add(new Probe("DeleteRecords", ApiKeys.DELETE_RECORDS, (short) 2, ids -> new DeleteRecordsRequestData().setTimeoutMs(10_000)
                .setTopics(each(List.of("orders.a", "private", "missing"), t -> new DeleteRecordsRequestData.DeleteRecordsTopic().setName(t)
                        .setPartitions(List.of(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(1).setOffset(0)))))));
        p.add(new Probe("DescribeConfigs", ApiKeys.DESCRIBE_CONFIGS, (short) 4, ids -> new DescribeConfigsRequestData().setResources(List.of(
                config((byte) 2, "orders.a"), config((byte) 2, "public"), config((byte) 2, "private"), config((byte) 2, "missing"),
                config((byte) 4, "0"), config((byte) 32, "g-a"), config((byte) 32, "h")))));
        p.add(new Probe("IncrementalAlterConfigs, validate only", ApiKeys.INCREMENTAL_ALTER_CONFIGS, (short) 1, ids -> {
            IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection resources = new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection();
            for (String t : List.of("public", "orders.a", "private", "missing")) {
                IncrementalAlterConfigsRequestData.AlterableConfigCollection configs = new IncrementalAlterConfigsRequestData.AlterableConfigCollection();
                configs.add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms").setConfigOperation((byte) 0).setValue("3600000"));
                resources.add(new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2).setResourceName(t).setConfigs(configs));
            }
            return new IncrementalAlterConfigsRequestData().setResources(resources).setValidateOnly(true);
        }));
        p.add(new Probe("DescribeProducers", ApiKeys.DESCRIBE_PRODUCERS, (short) 0, ids -> new DescribeProducersRequestData()
                .setTopics(each(List.of("orders.a", "public", "private", "missing"), t -> new DescribeProducersRequestData.TopicRequest()
                        .setName(t).setPartitionIndexes(List.of(0))))));
        p.add(new Probe("DescribeTransactions", ApiKeys.DESCRIBE_TRANSACTIONS, (short) 0, ids -> new DescribeTransactionsRequestData()
                .setTransactionalIds(List.of("tx-a-raw", "tx-b"))));
        p.add(new Probe("ListTransactions", ApiKeys.LIST_TRANSACTIONS, (short) 1, ids -> new ListTransactionsRequestData()));
        p.add(new Probe("DescribeTopicPartitions", ApiKeys.DESCRIBE_TOPIC_PARTITIONS, (short) 0, ids -> new DescribeTopicPartitionsRequestData()
                .setTopics(each(List.of("orders.a", "orders.secret", "public", "private", "missing"),
                        t -> new DescribeTopicPartitionsRequestData.TopicRequest().setName(t))).setResponsePartitionLimit(2000)));
        p.add(new Probe("DescribeCluster", ApiKeys.DESCRIBE_CLUSTER, (short) 1, ids -> new DescribeClusterRequestData()
                .setIncludeClusterAuthorizedOperations(true)));
        p.add(new Probe("DescribeAcls", ApiKeys.DESCRIBE_ACLS, (short) 3, ids -> new DescribeAclsRequestData().setResourceTypeFilter((byte) 1)
                .setResourceNameFilter(null).setPatternTypeFilter((byte) 1).setPrincipalFilter(null).setHostFilter(null)
                .setOperation((byte) 1).setPermissionType((byte) 1)));
        // resource type, name, pattern type (MATCH: every pattern that matches the name), principal, host
        for (Object[] f : List.<Object[]>of(new Object[]{2, "orders.a", 2, null, null}, new Object[]{2, "orders.x", 2, null, null},
                new Object[]{1, "orders.", 4, null, null}, new Object[]{1, "*", 3, null, null}, new Object[]{1, null, 1, "User:*", null},
                new Object[]{1, null, 1, "User:carol", "10.0.0.1"}, new Object[]{3, null, 1, null, "*"})) {
            p.add(new Probe("DescribeAcls " + java.util.Arrays.toString(f), ApiKeys.DESCRIBE_ACLS, (short) 3, ids -> new DescribeAclsRequestData()
                    .setResourceTypeFilter(((Integer) f[0]).byteValue()).setResourceNameFilter((String) f[1])
                    .setPatternTypeFilter(((Integer) f[2]).byteValue()).setPrincipalFilter((String) f[3]).setHostFilter((String) f[4])
                    .setOperation((byte) 1).setPermissionType((byte) 1)));
        }
        p.add(new Probe("ElectLeaders", ApiKeys.ELECT_LEADERS, (short) 2, ids -> {
            ElectLeadersRequestData.TopicPartitionsCollection partitions = new ElectLeadersRequestData.TopicPartitionsCollection();
            partitions.add(new ElectLeadersRequestData.TopicPartitions().setTopic("orders.a").setPartitions(List.of(0)));
            return new ElectLeadersRequestData().setElectionType((byte) 0).setTopicPartitions(partitions).setTimeoutMs(10_000);
        }));
        p.add(new Probe("ListPartitionReassignments", ApiKeys.LIST_PARTITION_REASSIGNMENTS, (short) 0, ids ->
                new ListPartitionReassignmentsRequestData().setTopics(null).setTimeoutMs(10_000)));
        // the users differ (Warden's are its own), so only users neither has, or named twice
        p.add(new Probe("DescribeUserScramCredentials, unknown and twice", ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, (short) 0,
                ids -> new DescribeUserScramCredentialsRequestData().setUsers(each(List.of("nobody", "dave", "dave"),
                        u -> new DescribeUserScramCredentialsRequestData.UserName().setName(u)))));
        // both have the same quotas (KafkaParityIT.QUOTAS): Kafka's filters, and the filters it refuses
        p.add(quotas("DescribeClientQuotas, all", false));
        p.add(quotas("DescribeClientQuotas, alice", false, quotaFilter("user", DescribeClientQuotasRequest.MATCH_TYPE_EXACT, "alice")));
        p.add(quotas("DescribeClientQuotas, carol", false, quotaFilter("user", DescribeClientQuotasRequest.MATCH_TYPE_EXACT, "carol")));
        p.add(quotas("DescribeClientQuotas, default user", true, quotaFilter("user", DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT, null)));
        p.add(quotas("DescribeClientQuotas, any user", true, quotaFilter("user", DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED, null)));
        p.add(quotas("DescribeClientQuotas, default IP", false, quotaFilter("ip", DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT, null)));
        p.add(quotas("DescribeClientQuotas, any IP", true, quotaFilter("ip", DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED, null)));
        p.add(quotas("DescribeClientQuotas, one IP", false, quotaFilter("ip", DescribeClientQuotasRequest.MATCH_TYPE_EXACT, "10.9.8.7")));
        p.add(quotas("DescribeClientQuotas, bob with a client id", false, quotaFilter("user", DescribeClientQuotasRequest.MATCH_TYPE_EXACT, "bob"),
                quotaFilter("client-id", DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED, null)));
        p.add(quotas("DescribeClientQuotas, any client id", false, quotaFilter("client-id", DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED, null)));
        p.add(quotas("DescribeClientQuotas, default client id", true, quotaFilter("client-id", DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT, null)));
        p.add(quotas("DescribeClientQuotas, default user and client id", false, quotaFilter("user", DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT, null),
                quotaFilter("client-id", DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT, null)));
        p.add(quotas("DescribeClientQuotas, parity-app", false, quotaFilter("client-id", DescribeClientQuotasRequest.MATCH_TYPE_EXACT, "parity-app")));
        p.add(quotas("DescribeClientQuotas, any user with any client id", true, quotaFilter("user", DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED, null),
                quotaFilter("client-id", DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED, null)));
        p.add(quotas("DescribeClientQuotas, strict, nothing", true));
        p.add(quotas("DescribeClientQuotas, IP and user", false, quotaFilter("ip", DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT, null),
                quotaFilter("user", DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED, null)));
        p.add(quotas("DescribeClientQuotas, user twice", false, quotaFilter("user", DescribeClientQuotasRequest.MATCH_TYPE_EXACT, "alice"),
                quotaFilter("user", DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT, null)));
        p.add(quotas("DescribeClientQuotas, unknown type", false, quotaFilter("group", DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED, null)));
        p.add(quotas("DescribeClientQuotas, exact without a name", false, quotaFilter("user", DescribeClientQuotasRequest.MATCH_TYPE_EXACT, null)));
        p.add(quotas("DescribeClientQuotas, unknown match type", false, quotaFilter("user", (byte) 7, null)));
        p.add(new Probe("DescribeLogDirs", ApiKeys.DESCRIBE_LOG_DIRS, (short) 4, ids -> new DescribeLogDirsRequestData().setTopics(null)));
        return p;
    }

    /** The version both sides accept for each API: the lower of their ApiVersions maxima. */
    static Map<ApiKeys, Short> commonVersions(ApiVersionsResponseData direct, ApiVersionsResponseData through) {
        Map<ApiKeys, Short> common = new LinkedHashMap<>();
        for (ApiVersionsResponseData.ApiVersion v : direct.apiKeys()) {
            ApiVersionsResponseData.ApiVersion w = through.apiKeys().find(v.apiKey());
            if (w != null && ApiKeys.hasId(v.apiKey())) {
                common.put(ApiKeys.forId(v.apiKey()), (short) Math.min(v.maxVersion(), w.maxVersion()));
            }
        }
        return common;
    }

    static ApiVersionsResponseData apiVersions(RawKafkaConnection c) throws Exception {
        short v = 3;
        int id = c.send(ApiKeys.API_VERSIONS, v, new ApiVersionsRequestData().setClientSoftwareName("parity").setClientSoftwareVersion("1"));
        return c.receive(ApiKeys.API_VERSIONS, v, id, a -> new ApiVersionsResponseData(a, v));
    }

    /** Sends one probe and returns its answer, made comparable. */
    static String send(RawKafkaConnection c, Probe probe, short version, Map<String, Uuid> ids) throws Exception {
        int id = c.send(probe.api(), version, probe.body().apply(ids));
        ApiMessage response = c.receive(probe.api(), version, id, a -> {
            ApiMessage m = ApiMessageType.fromApiKey(probe.api().id).newResponse();
            m.read(a, version);
            return m;
        });
        return comparable(json(response, version), probe.fresh()).toString();
    }

    private static JsonNode json(ApiMessage message, short version) throws Exception {
        return (JsonNode) Class.forName(message.getClass().getName() + "JsonConverter").getMethod("write", message.getClass(), short.class)
                .invoke(null, message, version);
    }

    /** Drops throttle times, broker lists and error messages; reduces fresh values to whether they are set. */
    private static JsonNode comparable(JsonNode node, Set<String> fresh) {
        if (node instanceof ObjectNode o) {
            // error messages are free text (Kafka's name its own request objects): the error codes are compared
            o.remove(List.of("throttleTimeMs", "brokers", "nodeEndpoints", "clusterId", "endpointType", "errorMessage"));
            Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
            Map<String, JsonNode> replaced = new LinkedHashMap<>();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (FRESH.contains(f.getKey()) || fresh.contains(f.getKey())) {
                    replaced.put(f.getKey(), JsonNodeFactory.instance.textNode(set(f.getValue())));
                } else {
                    comparable(f.getValue(), fresh);
                }
            }
            replaced.forEach(o::set);
        } else if (node instanceof ArrayNode a) {
            a.forEach(n -> comparable(n, fresh));
            if (a.size() > 1 && a.get(0).isObject()) {
                // Kafka answers topics, partitions and groups in no set order (its own come from hash maps)
                List<JsonNode> sorted = new ArrayList<>();
                a.forEach(sorted::add);
                sorted.sort(java.util.Comparator.comparing(JsonNode::toString));
                a.removeAll();
                sorted.forEach(a::add);
            }
        }
        return node;
    }

    private static String set(JsonNode value) {
        if (value.isNull()) {
            return "null";
        }
        if (value.isNumber()) {
            return value.asLong() >= 0 ? "n>=0" : value.asText();
        }
        return value.asText().isEmpty() ? "empty" : "set";
    }

    private static ProduceRequestData produce(Map<String, Uuid> ids, boolean byId) {
        return produce(ids, byId, List.of("orders.a", "orders.secret", "public", "private", "missing"));
    }

    /** A Produce of one record to partition 0 of each topic, with acks=all. */
    static ProduceRequestData produce(Map<String, Uuid> ids, boolean byId, List<String> names) {
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        for (String t : names) {
            ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setPartitionData(List.of(
                    new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(MemoryRecords.withRecords(Compression.NONE,
                            new SimpleRecord("raw".getBytes(StandardCharsets.UTF_8))))));
            topics.add(byId ? topic.setTopicId(ids.getOrDefault(t, Uuid.ONE_UUID)) : topic.setName(t));
        }
        return new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000).setTopicData(topics);
    }

    private static FetchRequestData fetch(Map<String, Uuid> ids, boolean byId) {
        return new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20).setSessionId(0)
                .setSessionEpoch(-1).setTopics(each(List.of("orders.a", "orders.secret", "public", "private", "missing"), t -> {
                    FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setPartitions(List.of(new FetchRequestData.FetchPartition()
                            .setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 16)));
                    return byId ? topic.setTopicId(ids.getOrDefault(t, Uuid.ONE_UUID)) : topic.setTopic(t);
                }));
    }

    private static List<MetadataRequestData.MetadataRequestTopic> topics(List<String> names) {
        return each(names, n -> new MetadataRequestData.MetadataRequestTopic().setName(n));
    }

    private static DescribeConfigsRequestData.DescribeConfigsResource config(byte type, String name) {
        return new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(type).setResourceName(name).setConfigurationKeys(List.of("retention.ms",
                "log.retention.hours", "consumer.session.timeout.ms"));
    }

    private static Probe quotas(String name, boolean strict, DescribeClientQuotasRequestData.ComponentData... components) {
        return new Probe(name, ApiKeys.DESCRIBE_CLIENT_QUOTAS, (short) 1, ids -> new DescribeClientQuotasRequestData().setStrict(strict)
                .setComponents(new ArrayList<>(List.of(components))));
    }

    private static DescribeClientQuotasRequestData.ComponentData quotaFilter(String type, byte matchType, String match) {
        return new DescribeClientQuotasRequestData.ComponentData().setEntityType(type).setMatchType(matchType).setMatch(match);
    }

    private static <T> List<T> each(List<String> names, Function<String, T> make) {
        return new ArrayList<>(names.stream().map(make).toList());
    }
}
