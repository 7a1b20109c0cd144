package io.warden.gateway.proxy;

import io.warden.gateway.audit.GatewayAudit;
import io.warden.gateway.admin.KafkaAclRequests;
import io.warden.gateway.cluster.ClusterMetadataClient;
import io.warden.gateway.cluster.TopicNames;
import io.warden.gateway.cluster.UpstreamNodes;
import io.warden.gateway.auth.Authentication;
import io.warden.gateway.auth.Authorization;
import io.warden.gateway.config.WardenConfig;

/**
 * What every listener and connection of one gateway shares. All members are thread-safe. {@code authentication} is
 * null when no listener uses SASL; {@code upstreamLogin} is null when the brokers need no SASL; {@code authorization}
 * is null when no policy is configured (every request is forwarded unchecked); {@code audit} is
 * {@link GatewayAudit#OFF} when nothing is audited; {@code aclRequests} (Kafka's ACL APIs on the gateway's own policy)
 * is null without authorization; {@code quotas} holds the byte-rate quotas in force (perhaps none); {@code metrics}
 * is {@link GatewayMetrics#OFF} without an admin listener; {@code memberHosts} holds the client address of the group
 * members that joined through the gateway; {@code autoCreations} the topics lately asked of a broker to auto-create.
 */
record GatewayContext(WardenConfig config, UpstreamNodes nodes, TopicNames topicNames,
                      ClusterMetadataClient metadata, GatewayStats stats, ClusterApiVersions apiVersions,
                      Authentication authentication, UpstreamLogin upstreamLogin, Authorization authorization,
                      GatewayAudit audit, KafkaAclRequests aclRequests, ClientQuotas quotas, GatewayMetrics metrics,
                      GroupMemberHosts memberHosts, RecentAutoCreations autoCreations) {
}
