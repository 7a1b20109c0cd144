package io.warden.gateway.admin;

import io.warden.gateway.config.LimitsConfig;
import io.warden.gateway.config.QuotasConfig;
import io.warden.gateway.enforce.Access;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData.ComponentData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.EntityData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.EntryData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData.ValueData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * DescribeClientQuotas (KIP-546) answered from the gateway's own quotas: the brokers' quotas see only the gateway's
 * connections, and clients are held to the quotas the gateway applies, so those are the quotas of this endpoint.
 * They are told as Kafka stores the same limits: a principal's byte rates as the {@code user} entity of its name
 * ({@code producer_byte_rate}, {@code consumer_byte_rate}), the default rates as the default {@code user} entity,
 * those by client id as {@code client-id} entities, a principal's (or the default principal's) by client id as
 * entities of a {@code user} and a {@code client-id}; the connection creation rate per IP
 * ({@code limits.maxConnectionCreationRatePerIp}) as the default {@code ip} entity's {@code connection_creation_rate}
 * (KIP-612), and that of an address with a rate of its own ({@code limits.ipOverrides}) as the {@code ip} entity of
 * that address. The filter is read as a Kafka broker reads it ({@code ClientQuotasImage.describe}), with its errors.
 */
public final class ClientQuotasAnswer {

    static final String PRODUCER_BYTE_RATE = "producer_byte_rate";
    static final String CONSUMER_BYTE_RATE = "consumer_byte_rate";
    static final String CONNECTION_CREATION_RATE = "connection_creation_rate";

    private ClientQuotasAnswer() {
    }

    /**
     * The answer to {@code request}; with a policy, only for a principal that may DESCRIBE_CONFIGS on the cluster, as
     * Kafka asks.
     *
     * @param access             the principal's rights, null without a policy
     * @param quotas the gateway's byte-rate quotas, null when it has none
     * @param limits the gateway's limits: its connection creation rates per IP
     */
    public static ApiMessage answer(AbstractRequest request, Access access, QuotasConfig quotas, LimitsConfig limits) {
        if (access != null && !access.allowedOnCluster(AclOperation.DESCRIBE_CONFIGS)) {
            return KafkaAclRequests.denied(request, AclOperation.DESCRIBE_CONFIGS);
        }
        try {
            return answer((DescribeClientQuotasRequestData) request.data(), entities(quotas, limits));
        } catch (InvalidRequestException | UnsupportedVersionException e) {
            return request.getErrorResponse(0, e).data();
        }
    }

    /**
     * The entities of these quotas and their values: a principal's entry only with the rates it sets itself (a kind it
     * leaves out is the default's, as in Kafka a user entity without a key takes the default user's).
     */
    public static Map<Map<String, String>, Map<String, Double>> entities(QuotasConfig quotas, LimitsConfig limits) {
        Map<Map<String, String>, Map<String, Double>> entities = new LinkedHashMap<>();
        if (quotas != null) {
            putUser(entities, null, quotas.defaults());
            new TreeMap<>(quotas.principals()).forEach((principal, rates) ->
                    putUser(entities, principal.substring(principal.indexOf(':') + 1), rates));
            putClients(entities, Map.of(), quotas.clients());
        }
        if (limits != null) {
            if (limits.maxConnectionCreationRatePerIp() > 0) {
                Map<String, String> entity = new HashMap<>();
                entity.put(ClientQuotaEntity.IP, null);
                entities.put(entity, Map.of(CONNECTION_CREATION_RATE, (double) limits.maxConnectionCreationRatePerIp()));
            }
            new TreeMap<>(limits.ipOverrides()).forEach((ip, own) -> {
                if (own.maxConnectionCreationRate() != null) { // no limit is Kafka's Integer.MAX_VALUE
                    int rate = own.maxConnectionCreationRate();
                    entities.put(Map.of(ClientQuotaEntity.IP, ip), Map.of(CONNECTION_CREATION_RATE, (double) (rate == 0 ? Integer.MAX_VALUE : rate)));
                }
            });
        }
        return entities;
    }

    /**
     * These byte-rate quotas in one line, entity by entity as {@link #entities} gives them:
     * {@code user=alice: producer_byte_rate=1048576; user=<default> client-id=app: consumer_byte_rate=2048}; empty
     * for none.
     */
    public static String describe(QuotasConfig quotas) {
        StringBuilder line = new StringBuilder();
        entities(quotas, null).forEach((entity, values) -> {
            line.append(line.isEmpty() ? "" : "; ");
            for (String type : List.of(ClientQuotaEntity.USER, ClientQuotaEntity.CLIENT_ID)) {
                if (entity.containsKey(type)) {
                    String name = entity.get(type);
                    line.append(type).append('=').append(name == null ? "<default>" : name).append(' ');
                }
            }
            line.setLength(line.length() - 1);
            line.append(':');
            values.forEach((key, value) -> line.append(' ').append(key).append('=').append(value.longValue()));
        });
        return line.toString();
    }

    /** A user's entity ({@code null}: the default user) and those of the user with a client id. */
    private static void putUser(Map<Map<String, String>, Map<String, Double>> entities, String user, QuotasConfig.PrincipalRates rates) {
        Map<String, String> entity = new HashMap<>();
        entity.put(ClientQuotaEntity.USER, user);
        put(entities, entity, rates.rates());
        putClients(entities, entity, rates.clients());
    }

    /** The entities of {@code user} (no user: none) with the default client id and with each client id of its own. */
    private static void putClients(Map<Map<String, String>, Map<String, Double>> entities, Map<String, String> user, QuotasConfig.ClientRates rates) {
        Map<String, String> entity = new HashMap<>(user);
        entity.put(ClientQuotaEntity.CLIENT_ID, null);
        put(entities, entity, rates.defaults());
        new TreeMap<>(rates.ids()).forEach((id, idRates) -> {
            Map<String, String> named = new HashMap<>(user);
            named.put(ClientQuotaEntity.CLIENT_ID, id);
            put(entities, named, idRates);
        });
    }

    private static void put(Map<Map<String, String>, Map<String, Double>> entities, Map<String, String> entity, QuotasConfig.ByteRates rates) {
        Map<String, Double> values = new LinkedHashMap<>();
        if (rates.produceBytesPerSecond() != QuotasConfig.ByteRates.UNLIMITED) {
            values.put(PRODUCER_BYTE_RATE, (double) rates.produceBytesPerSecond());
        }
        if (rates.fetchBytesPerSecond() != QuotasConfig.ByteRates.UNLIMITED) {
            values.put(CONSUMER_BYTE_RATE, (double) rates.fetchBytesPerSecond());
        }
        if (!values.isEmpty()) { // Kafka keeps no entity without a quota
            entities.put(entity, values);
        }
    }

    /** The entities the filter matches, or Kafka's error for a filter it refuses (thrown). */
    static DescribeClientQuotasResponseData answer(DescribeClientQuotasRequestData request,
                                                   Map<Map<String, String>, Map<String, Double>> entities) {
        Map<String, String> exact = new HashMap<>(); // entity type -> the name it must have, null for the default
        Set<String> specified = new HashSet<>();     // entity types that must be there, with any name
        for (ComponentData component : request.components()) {
            String type = component.entityType();
            if (type.isEmpty()) {
                throw new InvalidRequestException("Invalid empty entity type.");
            }
            if (exact.containsKey(type) || specified.contains(type)) {
                throw new InvalidRequestException("Entity type " + type + " cannot appear more than once in the filter.");
            }
            if (!type.equals(ClientQuotaEntity.IP) && !type.equals(ClientQuotaEntity.USER) && !type.equals(ClientQuotaEntity.CLIENT_ID)) {
                throw new UnsupportedVersionException("Unsupported entity type " + type);
            }
            switch (component.matchType()) {
                case DescribeClientQuotasRequest.MATCH_TYPE_EXACT -> {
                    if (component.match() == null) {
                        throw new InvalidRequestException("Request specified MATCH_TYPE_EXACT, but set match string to null.");
                    }
                    exact.put(type, component.match());
                }
                case DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT -> {
                    if (component.match() != null) {
                        throw new InvalidRequestException("Request specified MATCH_TYPE_DEFAULT, but also specified a match string.");
                    }
                    exact.put(type, null);
                }
                case DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED -> {
                    if (component.match() != null) {
                        throw new InvalidRequestException("Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.");
                    }
                    specified.add(type);
                }
                default -> throw new InvalidRequestException("Unknown match type " + component.matchType());
            }
        }
        boolean ip = exact.containsKey(ClientQuotaEntity.IP) || specified.contains(ClientQuotaEntity.IP);
        boolean userOrClient = exact.containsKey(ClientQuotaEntity.USER) || specified.contains(ClientQuotaEntity.USER)
                || exact.containsKey(ClientQuotaEntity.CLIENT_ID) || specified.contains(ClientQuotaEntity.CLIENT_ID);
        if (ip && userOrClient) {
            throw new InvalidRequestException("Invalid entity filter component combination. IP filter component should not be used with "
                    + "user or clientId filter component.");
        }
        List<EntryData> entries = new ArrayList<>();
        entities.forEach((entity, values) -> {
            if (matches(entity, exact, specified, request.strict())) {
                EntryData entry = new EntryData();
                entity.forEach((type, name) -> entry.entity().add(new EntityData().setEntityType(type).setEntityName(name)));
                values.forEach((key, value) -> entry.values().add(new ValueData().setKey(key).setValue(value)));
                entries.add(entry);
            }
        });
        return new DescribeClientQuotasResponseData().setEntries(entries);
    }

    /** As Kafka: every exact component names the entity's own name, every specified type is in it, strict: nothing else. */
    private static boolean matches(Map<String, String> entity, Map<String, String> exact, Set<String> specified, boolean strict) {
        if (strict && entity.size() != exact.size() + specified.size()) {
            return false;
        }
        for (Map.Entry<String, String> e : exact.entrySet()) {
            if (!entity.containsKey(e.getKey()) || !Objects.equals(entity.get(e.getKey()), e.getValue())) {
                return false;
            }
        }
        return entity.keySet().containsAll(specified);
    }
}
