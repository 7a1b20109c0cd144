package io.warden.gateway.protocol;

import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKeyCollection;
import org.apache.kafka.common.protocol.ApiKeys;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The Kafka APIs the gateway understands, each over the stable versions of the kafka-clients release it is built
 * with. Anything else fails closed: it is left out of ApiVersions and a request for it closes the connection.
 *
 * <p>SASL is not forwarded: on SASL listeners the gateway terminates it ({@link #SASL_APIS}, added by
 * {@link #addSasl}); elsewhere a SASL request fails closed like any other unknown API.
 *
 * <p>Left out on purpose: inter-broker, controller and KRaft quorum APIs (DescribeQuorum's answer carries addresses the
 * gateway does not rewrite); share groups and streams groups (previews in Kafka 4.1; ShareFetch and
 * ShareAcknowledge answers carry broker addresses too); delegation tokens (they would bypass the gateway's
 * authentication); the brokers' SCRAM credentials and client quotas (clients log in with the gateway's own users and
 * are held to its own quotas, which DescribeUserScramCredentials and DescribeClientQuotas describe:
 * {@link #GATEWAY_APIS}), replica log dirs and features; client telemetry. The ACL APIs are not forwarded either: with
 * a policy the gateway answers them itself ({@link #ACL_APIS}).
 */
public final class SupportedApis {

    private static final Set<ApiKeys> SUPPORTED = EnumSet.of(
            ApiKeys.PRODUCE,
            ApiKeys.FETCH,
            ApiKeys.LIST_OFFSETS,
            ApiKeys.METADATA,
            ApiKeys.OFFSET_COMMIT,
            ApiKeys.OFFSET_FETCH,
            ApiKeys.FIND_COORDINATOR,
            ApiKeys.JOIN_GROUP,
            ApiKeys.HEARTBEAT,
            ApiKeys.LEAVE_GROUP,
            ApiKeys.SYNC_GROUP,
            ApiKeys.DESCRIBE_GROUPS,
            ApiKeys.LIST_GROUPS,
            ApiKeys.API_VERSIONS,
            ApiKeys.CREATE_TOPICS,
            ApiKeys.DELETE_TOPICS,
            ApiKeys.DELETE_RECORDS,
            ApiKeys.INIT_PRODUCER_ID,
            ApiKeys.OFFSET_FOR_LEADER_EPOCH,
            ApiKeys.ADD_PARTITIONS_TO_TXN,
            ApiKeys.ADD_OFFSETS_TO_TXN,
            ApiKeys.END_TXN,
            ApiKeys.TXN_OFFSET_COMMIT,
            ApiKeys.DESCRIBE_CONFIGS,
            ApiKeys.ALTER_CONFIGS,
            ApiKeys.DESCRIBE_LOG_DIRS,
            ApiKeys.CREATE_PARTITIONS,
            ApiKeys.DELETE_GROUPS,
            ApiKeys.ELECT_LEADERS,
            ApiKeys.INCREMENTAL_ALTER_CONFIGS,
            ApiKeys.ALTER_PARTITION_REASSIGNMENTS,
            ApiKeys.LIST_PARTITION_REASSIGNMENTS,
            ApiKeys.OFFSET_DELETE,
            ApiKeys.DESCRIBE_PRODUCERS,
            ApiKeys.DESCRIBE_TRANSACTIONS,
            ApiKeys.LIST_TRANSACTIONS,
            ApiKeys.DESCRIBE_CLUSTER,
            ApiKeys.CONSUMER_GROUP_HEARTBEAT,
            ApiKeys.CONSUMER_GROUP_DESCRIBE,
            ApiKeys.DESCRIBE_TOPIC_PARTITIONS);

    /** The SASL APIs a SASL listener answers itself, with the versions it speaks. */
    public static final java.util.Map<ApiKeys, short[]> SASL_APIS = java.util.Map.of(
            ApiKeys.SASL_HANDSHAKE, new short[]{0, 1},
            ApiKeys.SASL_AUTHENTICATE, new short[]{0, 2});

    private SupportedApis() {
    }

    /** True when a SASL listener answers this SASL API at this version. */
    public static boolean isSaslSupported(ApiKeys api, short version) {
        short[] range = SASL_APIS.get(api);
        return range != null && version >= range[0] && version <= range[1];
    }

    /** Adds the SASL APIs to an ApiVersions answer, for a listener where the gateway terminates SASL. */
    public static void addSasl(ApiVersionsResponseData response) {
        SASL_APIS.forEach((api, range) -> {
            if (response.apiKeys().find(api.id) == null) {
                response.apiKeys().add(new ApiVersion().setApiKey(api.id).setMinVersion(range[0]).setMaxVersion(range[1]));
            }
        });
    }

    /** The ACL administration APIs the gateway answers from its own policy when it enforces one. */
    public static final List<ApiKeys> ACL_APIS = List.of(ApiKeys.CREATE_ACLS, ApiKeys.DESCRIBE_ACLS,
            ApiKeys.DELETE_ACLS);

    /** Adds the ACL administration APIs, at every version this gateway's protocol classes speak. */
    public static void addAclAdministration(ApiVersionsResponseData response) {
        addAll(response, ACL_APIS);
    }

    /**
     * The APIs every listener answers from the gateway's own state, never forwarded: DescribeUserScramCredentials,
     * from the gateway's own users, whose credentials are the ones that log in here (the brokers' are not), and
     * DescribeClientQuotas, from the gateway's own quotas, which are the ones its clients are held to (the brokers'
     * see only the gateway's connections).
     */
    public static final List<ApiKeys> GATEWAY_APIS = List.of(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, ApiKeys.DESCRIBE_CLIENT_QUOTAS);

    /** Adds {@link #GATEWAY_APIS}, at every version this gateway's protocol classes speak. */
    public static void addGatewayApis(ApiVersionsResponseData response) {
        addAll(response, GATEWAY_APIS);
    }

    /** True when the gateway answers this API itself at this version ({@link #GATEWAY_APIS}). */
    public static boolean isAnsweredByGateway(ApiKeys api, short version) {
        return GATEWAY_APIS.contains(api) && version >= api.oldestVersion() && version <= api.latestVersion(false);
    }

    private static void addAll(ApiVersionsResponseData response, List<ApiKeys> apis) {
        for (ApiKeys api : apis) {
            if (response.apiKeys().find(api.id) == null) {
                response.apiKeys().add(new ApiVersion().setApiKey(api.id).setMinVersion(api.oldestVersion())
                        .setMaxVersion(api.latestVersion(false)));
            }
        }
    }

    public static boolean isSupported(ApiKeys api) {
        return SUPPORTED.contains(api);
    }

    public static short minVersion(ApiKeys api) {
        return api.oldestVersion();
    }

    public static short maxVersion(ApiKeys api) {
        return api.latestVersion(false);
    }

    /** True when the gateway can handle this API at this version. */
    public static boolean isSupported(ApiKeys api, short version) {
        return isSupported(api) && version >= minVersion(api) && version <= maxVersion(api);
    }

    /**
     * Narrows a broker's ApiVersions answer to what the gateway understands: unsupported keys are removed and
     * every range is clamped to the gateway's own. Features and other fields are kept as the broker sent them.
     */
    public static void intersect(ApiVersionsResponseData brokerResponse) {
        ApiVersionCollection narrowed = new ApiVersionCollection();
        for (ApiVersion v : brokerResponse.apiKeys()) {
            if (!ApiKeys.hasId(v.apiKey())) {
                continue;
            }
            ApiKeys api = ApiKeys.forId(v.apiKey());
            if (!isSupported(api)) {
                continue;
            }
            short min = (short) Math.max(v.minVersion(), minVersion(api));
            short max = (short) Math.min(v.maxVersion(), maxVersion(api));
            if (min <= max) {
                narrowed.add(new ApiVersion().setApiKey(v.apiKey()).setMinVersion(min).setMaxVersion(max));
            }
        }
        brokerResponse.setApiKeys(narrowed);
    }

    /** Removes from an ApiVersions answer every API the predicate rejects (e.g. those without enforcement). */
    public static void retain(ApiVersionsResponseData response, java.util.function.Predicate<ApiKeys> keep) {
        ApiVersionCollection kept = new ApiVersionCollection();
        for (ApiVersion v : response.apiKeys()) {
            if (ApiKeys.hasId(v.apiKey()) && keep.test(ApiKeys.forId(v.apiKey()))) {
                kept.add(v.duplicate());
            }
        }
        response.setApiKeys(kept);
    }

    /** First ApiVersions version whose answer may list a supported feature from version 0 (KAFKA-17011). */
    static final short FEATURES_FROM_ZERO = 4;

    /**
     * Fits the supported features of an ApiVersions answer to the version it is sent at, as Kafka's
     * {@code ApiVersionsResponse} does: before v4 a feature supported from version 0 is left out, as clients of that
     * time refuse a minimum of 0 and give up on the connection.
     */
    public static void fitFeatures(ApiVersionsResponseData response, short version) {
        if (version >= FEATURES_FROM_ZERO) {
            return;
        }
        SupportedFeatureKeyCollection kept = new SupportedFeatureKeyCollection();
        for (SupportedFeatureKey feature : response.supportedFeatures()) {
            if (feature.minVersion() != 0) {
                kept.add(feature.duplicate());
            }
        }
        response.setSupportedFeatures(kept);
    }

    /** The v0 answer Kafka gives to an ApiVersions request at a version it does not know. */
    public static ApiVersionsResponseData unsupportedApiVersionsResponse() {
        ApiVersionsResponseData data = new ApiVersionsResponseData()
                .setErrorCode(org.apache.kafka.common.protocol.Errors.UNSUPPORTED_VERSION.code());
        data.apiKeys().add(new ApiVersion()
                .setApiKey(ApiKeys.API_VERSIONS.id)
                .setMinVersion(minVersion(ApiKeys.API_VERSIONS))
                .setMaxVersion(maxVersion(ApiKeys.API_VERSIONS)));
        return data;
    }
}
