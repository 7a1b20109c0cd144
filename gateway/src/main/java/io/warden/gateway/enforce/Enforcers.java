package io.warden.gateway.enforce;

import org.apache.kafka.common.protocol.ApiKeys;

import java.util.EnumMap;
import java.util.Map;

/**
 * The enforcer of every API the gateway checks. With authorization on, an API without one here is neither advertised
 * nor accepted: fail closed.
 */
public final class Enforcers {

    private static final Map<ApiKeys, ApiEnforcer> ENFORCERS = new EnumMap<>(ApiKeys.class);

    static {
        ENFORCERS.put(ApiKeys.PRODUCE, new ProduceEnforcer());
        ENFORCERS.put(ApiKeys.FETCH, new FetchEnforcer());
        ENFORCERS.put(ApiKeys.METADATA, new MetadataEnforcer());
        ENFORCERS.put(ApiKeys.LIST_OFFSETS, new ListOffsetsEnforcer());
        GroupEnforcers.register(ENFORCERS);
        AdminEnforcers.register(ENFORCERS);
    }

    private Enforcers() {
    }

    /** The enforcer for an API, or null when the gateway has none (the API is then refused under authorization). */
    public static ApiEnforcer forApi(ApiKeys api) {
        return ENFORCERS.get(api);
    }

    /** APIs that need no authorization: the gateway answers them itself or they carry no resource. */
    public static boolean needsNoCheck(ApiKeys api) {
        return api == ApiKeys.API_VERSIONS || api == ApiKeys.SASL_HANDSHAKE || api == ApiKeys.SASL_AUTHENTICATE;
    }

    public static boolean isEnforced(ApiKeys api) {
        return needsNoCheck(api) || ENFORCERS.containsKey(api);
    }
}
