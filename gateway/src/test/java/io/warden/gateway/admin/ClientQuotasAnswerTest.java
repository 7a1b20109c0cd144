package io.warden.gateway.admin;

import io.warden.gateway.config.LimitsConfig;
import io.warden.gateway.config.QuotasConfig;
import io.warden.gateway.config.QuotasConfig.ByteRates;
import io.warden.gateway.config.QuotasConfig.ClientRates;
import io.warden.gateway.config.QuotasConfig.PrincipalRates;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData.ComponentData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;
import org.apache.kafka.common.requests.AbstractRequest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.apache.kafka.common.requests.DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT;
import static org.apache.kafka.common.requests.DescribeClientQuotasRequest.MATCH_TYPE_EXACT;
import static org.apache.kafka.common.requests.DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientQuotasAnswerTest {

    /**
     * Default rates for both kinds, alice her own produce rate, bob his own fetch rate, dave an entry without any; a
     * default client-id fetch rate and one client id's produce rate. By principal and client id: alice as app, dave as
     * any client id, and every principal as any client id (fetch) and as app (produce).
     */
    static final QuotasConfig QUOTAS = new QuotasConfig(
            new PrincipalRates(new ByteRates(1000, 2000), new ClientRates(new ByteRates(ByteRates.UNLIMITED, 80), Map.of("app", new ByteRates(90, 0)))),
            Map.of("User:alice", new PrincipalRates(new ByteRates(10, ByteRates.UNLIMITED), new ClientRates(ByteRates.NONE, Map.of("app", new ByteRates(5, 0)))),
                    "User:bob", rates(ByteRates.UNLIMITED, 20),
                    "User:CN=carol,O=Example", rates(30, 40),
                    "User:dave", new PrincipalRates(ByteRates.NONE, new ClientRates(new ByteRates(7, 0), Map.of()))),
            new ClientRates(new ByteRates(ByteRates.UNLIMITED, 50), Map.of("app", new ByteRates(60, 0))),
            11, Duration.ofSeconds(1));

    /** 100 connections per second from an IP, 500 from 10.0.0.5, no limit from 10.0.0.7; 10.0.0.6 only more open. */
    static final LimitsConfig LIMITS = new LimitsConfig(LimitsConfig.DEFAULT_MAX_FRAME_BYTES, 100, 10, Duration.ofMinutes(10), 100,
            Duration.ofSeconds(30), Map.of("10.0.0.5", new LimitsConfig.IpLimits(null, 500), "10.0.0.6", new LimitsConfig.IpLimits(50, null),
            "10.0.0.7", new LimitsConfig.IpLimits(null, 0)));

    static final Map<Map<String, String>, Map<String, Double>> ENTITIES = ClientQuotasAnswer.entities(QUOTAS, LIMITS);

    private static PrincipalRates rates(long produce, long fetch) {
        return new PrincipalRates(new ByteRates(produce, fetch), ClientRates.NONE);
    }

    /**
     * Each principal with only the rates it sets, the defaults as the default user, by client id as a user and a
     * client id, the creation rate as the default IP.
     */
    @Test
    void theGatewaysQuotasAsKafkaStoresThem() {
        assertThat(describe(false)).containsExactly(
                "user=<default> consumer_byte_rate=2000.0 producer_byte_rate=1000.0",
                "client-id=<default> user=<default> consumer_byte_rate=80.0",
                "client-id=app user=<default> producer_byte_rate=90.0",
                "user=CN=carol,O=Example consumer_byte_rate=40.0 producer_byte_rate=30.0",
                "user=alice producer_byte_rate=10.0",
                "client-id=app user=alice producer_byte_rate=5.0",
                "user=bob consumer_byte_rate=20.0",
                "client-id=<default> user=dave producer_byte_rate=7.0",
                "client-id=<default> consumer_byte_rate=50.0",
                "client-id=app producer_byte_rate=60.0",
                "ip=<default> connection_creation_rate=100.0",
                "ip=10.0.0.5 connection_creation_rate=500.0",
                "ip=10.0.0.7 connection_creation_rate=2.147483647E9");
        assertThat(ClientQuotasAnswer.entities(null, null)).isEmpty();
        assertThat(ClientQuotasAnswer.entities(null, new LimitsConfig(LimitsConfig.DEFAULT_MAX_FRAME_BYTES, 100, 10, Duration.ofMinutes(10), 0,
                Duration.ofSeconds(30), Map.of()))).as("no creation rate").isEmpty();
        assertThat(ClientQuotasAnswer.entities(new QuotasConfig(PrincipalRates.NONE, Map.of("User:alice", rates(5, 0)),
                ClientRates.NONE, 11, Duration.ofSeconds(1)), null)).containsOnlyKeys(Map.of("user", "alice"));
    }

    @Test
    void exactDefaultAndSpecifiedMatchAsInKafka() {
        assertThat(describe(false, component("user", MATCH_TYPE_EXACT, "alice")))
                .containsExactly("user=alice producer_byte_rate=10.0", "client-id=app user=alice producer_byte_rate=5.0");
        assertThat(describe(false, component("user", MATCH_TYPE_EXACT, "erin"))).isEmpty();
        assertThat(describe(true, component("user", MATCH_TYPE_DEFAULT, null)))
                .containsExactly("user=<default> consumer_byte_rate=2000.0 producer_byte_rate=1000.0");
        // Kafka's "specified" is any entity with that type, the default one too
        assertThat(describe(false, component("user", MATCH_TYPE_SPECIFIED, null))).hasSize(8).noneMatch(e -> e.startsWith("ip"));
        assertThat(describe(true, component("user", MATCH_TYPE_SPECIFIED, null))).hasSize(4).noneMatch(e -> e.contains("client-id"));
        assertThat(describe(true, component("ip", MATCH_TYPE_DEFAULT, null))).containsExactly("ip=<default> connection_creation_rate=100.0");
        assertThat(describe(true, component("ip", MATCH_TYPE_EXACT, "10.0.0.5"))).containsExactly("ip=10.0.0.5 connection_creation_rate=500.0");
        assertThat(describe(false, component("ip", MATCH_TYPE_SPECIFIED, null))).hasSize(3);
        // a user and a client id together
        assertThat(describe(false, component("user", MATCH_TYPE_EXACT, "alice"), component("client-id", MATCH_TYPE_SPECIFIED, null)))
                .containsExactly("client-id=app user=alice producer_byte_rate=5.0");
        assertThat(describe(false, component("user", MATCH_TYPE_DEFAULT, null), component("client-id", MATCH_TYPE_DEFAULT, null)))
                .containsExactly("client-id=<default> user=<default> consumer_byte_rate=80.0");
        assertThat(describe(false, component("user", MATCH_TYPE_EXACT, "bob"), component("client-id", MATCH_TYPE_SPECIFIED, null))).isEmpty();
        assertThat(describe(true, component("client-id", MATCH_TYPE_DEFAULT, null))).containsExactly("client-id=<default> consumer_byte_rate=50.0");
        assertThat(describe(false, component("client-id", MATCH_TYPE_DEFAULT, null))).containsExactly(
                "client-id=<default> user=<default> consumer_byte_rate=80.0",
                "client-id=<default> user=dave producer_byte_rate=7.0",
                "client-id=<default> consumer_byte_rate=50.0");
        assertThat(describe(true, component("client-id", MATCH_TYPE_SPECIFIED, null))).hasSize(2);
        assertThat(describe(false, component("client-id", MATCH_TYPE_EXACT, "app"))).hasSize(3);
    }

    /** Strict: the entity has no type but the filter's; otherwise other types are let through. */
    @Test
    void strictLeavesOutEntitiesWithOtherTypes() {
        assertThat(describe(false, component("user", MATCH_TYPE_EXACT, "alice"))).hasSize(2);
        assertThat(describe(true, component("user", MATCH_TYPE_EXACT, "alice"))).containsExactly("user=alice producer_byte_rate=10.0");
        assertThat(describe(true, component("user", MATCH_TYPE_EXACT, "dave"))).isEmpty();
        assertThat(describe(true)).isEmpty();
    }

    /** Kafka's errors and messages for a filter it refuses ({@code ClientQuotasImage.describe}). */
    @Test
    void refusedFiltersGetKafkasErrors() {
        assertRefused(InvalidRequestException.class, "Invalid empty entity type.", component("", MATCH_TYPE_SPECIFIED, null));
        assertRefused(InvalidRequestException.class, "Entity type user cannot appear more than once in the filter.",
                component("user", MATCH_TYPE_EXACT, "alice"), component("user", MATCH_TYPE_DEFAULT, null));
        assertRefused(UnsupportedVersionException.class, "Unsupported entity type group", component("group", MATCH_TYPE_SPECIFIED, null));
        assertRefused(InvalidRequestException.class, "Request specified MATCH_TYPE_EXACT, but set match string to null.",
                component("user", MATCH_TYPE_EXACT, null));
        assertRefused(InvalidRequestException.class, "Request specified MATCH_TYPE_DEFAULT, but also specified a match string.",
                component("user", MATCH_TYPE_DEFAULT, "alice"));
        assertRefused(InvalidRequestException.class, "Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.",
                component("user", MATCH_TYPE_SPECIFIED, "alice"));
        assertRefused(InvalidRequestException.class, "Unknown match type 7", component("user", (byte) 7, null));
        assertRefused(InvalidRequestException.class, "Invalid entity filter component combination. IP filter component should not be "
                + "used with user or clientId filter component.", component("ip", MATCH_TYPE_DEFAULT, null), component("client-id", MATCH_TYPE_SPECIFIED, null));
    }

    /** Through the request: a refused filter is the whole answer's error, with no entries, as a broker answers it. */
    @Test
    void aRefusedFilterIsAnsweredWithItsError() {
        AbstractRequest request = new DescribeClientQuotasRequest.Builder(ClientQuotaFilter.all()).build((short) 1);
        DescribeClientQuotasRequestData bad = new DescribeClientQuotasRequestData().setComponents(List.of(component("ip", MATCH_TYPE_EXACT, null)));
        DescribeClientQuotasResponseData answer = (DescribeClientQuotasResponseData) ClientQuotasAnswer.answer(
                new DescribeClientQuotasRequest(bad, (short) 1), null, QUOTAS, LIMITS);
        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(answer.errorMessage()).isEqualTo("Request specified MATCH_TYPE_EXACT, but set match string to null.");
        assertThat(answer.entries()).isNull();
        DescribeClientQuotasResponseData all = (DescribeClientQuotasResponseData) ClientQuotasAnswer.answer(request, null, QUOTAS, LIMITS);
        assertThat(all.errorCode()).isZero();
        assertThat(all.entries()).hasSize(13);
    }

    private static void assertRefused(Class<? extends Exception> type, String message, ComponentData... components) {
        assertThatThrownBy(() -> ClientQuotasAnswer.answer(request(false, components), ENTITIES)).isInstanceOf(type).hasMessage(message);
    }

    private static List<String> describe(boolean strict, ComponentData... components) {
        return lines(ClientQuotasAnswer.answer(request(strict, components), ENTITIES));
    }

    private static DescribeClientQuotasRequestData request(boolean strict, ComponentData... components) {
        return new DescribeClientQuotasRequestData().setStrict(strict).setComponents(new ArrayList<>(Arrays.asList(components)));
    }

    private static ComponentData component(String type, byte matchType, String match) {
        return new ComponentData().setEntityType(type).setMatchType(matchType).setMatch(match);
    }

    /** Each entry as its entity and its values, sorted by key. */
    private static List<String> lines(DescribeClientQuotasResponseData answer) {
        assertThat(answer.errorCode()).isZero();
        return answer.entries().stream().map(e -> {
            StringBuilder line = new StringBuilder();
            new TreeSet<>(e.entity().stream().map(x -> x.entityType() + "=" + (x.entityName() == null ? "<default>" : x.entityName())).toList())
                    .forEach(x -> line.append(line.isEmpty() ? "" : " ").append(x));
            new TreeSet<>(e.values().stream().map(v -> v.key() + "=" + v.value()).toList()).forEach(v -> line.append(' ').append(v));
            return line.toString();
        }).toList();
    }
}
