package io.warden.gateway.admin;

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
 * those by client id as {@code client-id} entities, and the connection creation rate per IP
 * ({@code limits.maxConnectionCreationRatePerIp}) as the default {@code ip} entity's {@code connection_creation_rate}
 * (KIP-612). The filter is read as a Kafka broker reads it ({@code ClientQuotasImage.describe}), with its errors.
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
     * @param quotas             the gateway's byte-rate quotas, null when it has none
     * @param connectionRatePerIp new connections accepted per second from one IP, 0 for no limit
     */
    public static ApiMessage answer(AbstractRequest request, Access access, QuotasConfig quotas, int connectionRatePerIp) {
        if (access != null && !access.allowedOnCluster(AclOperation.DESCRIBE_CONFIGS)) {
            return KafkaAclRequests.denied(request, AclOperation.DESCRIBE_CONFIGS);
        }
        try {
            return answer((DescribeClientQuotasRequestData) request.data(), entities(quotas, connectionRatePerIp));
        } catch (InvalidRequestException | UnsupportedVersionException e) {
            return request.getErrorResponse(0, e).data();
        }
    }

    /**
     * The entities of these quotas and their values: a principal's entry only with the rates it sets itself (a kind it
     * leaves out is the default's, as in Kafka a user entity without a key takes the default user's).
     */
    static Map<Map<String, String>, Map<String, Double>> entities(QuotasConfig quotas, int connectionRatePerIp) {
        Map<Map<String, String>, Map<String, Double>> entities = new LinkedHashMap<>();
        if (quotas != null) {
            put(entities, ClientQuotaEntity.USER, null, quotas.defaults());
            new TreeMap<>(quotas.principals()).forEach((principal, rates) ->
                    put(entities, ClientQuotaEntity.USER, principal.substring(principal.indexOf(':') + 1), rates));
            put(entities, ClientQuotaEntity.CLIENT_ID, null, quotas.clientDefaults());
            new TreeMap<>(quotas.clients()).forEach((id, rates) -> put(entities, ClientQuotaEntity.CLIENT_ID, id, rates));
        }
        if (connectionRatePerIp > 0) {
            Map<String, String> entity = new HashMap<>();
            entity.put(ClientQuotaEntity.IP, null);
            entities.put(entity, Map.of(CONNECTION_CREATION_RATE, (double) connectionRatePerIp));
        }
        return entities;
    }

    private static void put(Map<Map<String, String>, Map<String, Double>> entities, String type, String name, QuotasConfig.ByteRates rates) {
        Map<String, Double> values = new LinkedHashMap<>();
        if (rates.produceBytesPerSecond() != QuotasConfig.ByteRates.UNLIMITED) {
            values.put(PRODUCER_BYTE_RATE, (double) rates.produceBytesPerSecond());
        }
        if (rates.fetchBytesPerSecond() != QuotasConfig.ByteRates.UNLIMITED) {
            values.put(CONSUMER_BYTE_RATE, (double) rates.fetchBytesPerSecond());
        }
        if (!values.isEmpty()) { // Kafka keeps no entity without a quota
            Map<String, String> entity = new HashMap<>();
            entity.put(type, name);
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
