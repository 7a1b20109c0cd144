package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.ApiKeys;

import java.util.Map;

/** The enforcers of the admin and transaction APIs. */
final class AdminEnforcers {

    private AdminEnforcers() {
    }

    static void register(Map<ApiKeys, ApiEnforcer> into) {
        into.put(ApiKeys.CREATE_TOPICS, new CreateTopicsEnforcer());
        into.put(ApiKeys.DELETE_TOPICS, new DeleteTopicsEnforcer());
        into.put(ApiKeys.CREATE_PARTITIONS, new CreatePartitionsEnforcer());
        into.put(ApiKeys.DELETE_RECORDS, new DeleteRecordsEnforcer());
        into.put(ApiKeys.DESCRIBE_CONFIGS, new DescribeConfigsEnforcer());
        into.put(ApiKeys.ALTER_CONFIGS, new AlterConfigsEnforcer());
        into.put(ApiKeys.INCREMENTAL_ALTER_CONFIGS, new IncrementalAlterConfigsEnforcer());

        into.put(ApiKeys.INIT_PRODUCER_ID, new InitProducerIdEnforcer());
        into.put(ApiKeys.ADD_PARTITIONS_TO_TXN, new AddPartitionsToTxnEnforcer());
        into.put(ApiKeys.ADD_OFFSETS_TO_TXN, new AddOffsetsToTxnEnforcer());
        into.put(ApiKeys.END_TXN, new EndTxnEnforcer());
        into.put(ApiKeys.TXN_OFFSET_COMMIT, new TxnOffsetCommitEnforcer());
        into.put(ApiKeys.DESCRIBE_PRODUCERS, new DescribeProducersEnforcer());
        into.put(ApiKeys.DESCRIBE_TRANSACTIONS, new DescribeTransactionsEnforcer());
        into.put(ApiKeys.LIST_TRANSACTIONS, new ListTransactionsEnforcer());

        into.put(ApiKeys.DESCRIBE_CLUSTER, new DescribeClusterEnforcer());
        cluster(into, ApiKeys.DESCRIBE_LOG_DIRS, AclOperation.DESCRIBE);
        cluster(into, ApiKeys.ELECT_LEADERS, AclOperation.ALTER);
        into.put(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, new AlterPartitionReassignmentsEnforcer());
        cluster(into, ApiKeys.LIST_PARTITION_REASSIGNMENTS, AclOperation.DESCRIBE);
    }

    private static void cluster(Map<ApiKeys, ApiEnforcer> into, ApiKeys api, AclOperation operation) {
        into.put(api, new ClusterOperationEnforcer(api, operation));
    }
}
