package io.warden.gateway.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The quotas section and the connection creation rate: what they mean, and a precise error for each way to get them wrong. */
class QuotasConfigLoaderTest {

    private static WardenConfig load(String yaml) {
        return ConfigLoader.parse("w.yaml", "listeners: [{brokerPorts: 9100-9199}]\nupstream: {bootstrapServers: [k:9092]}\n" + yaml);
    }

    @Test
    void defaultsAndPrincipalsAreRead() {
        QuotasConfig q = load("""
                quotas:
                  default: {produceBytesPerSecond: 10485760, fetchBytesPerSecond: 20971520}
                  principals:
                    "User:alice": {produceBytesPerSecond: 1048576}
                    "User:CN=app,OU=team": {fetchBytesPerSecond: 5000000000}
                  windowSamples: 5
                  windowSampleSeconds: 2
                """).quotas();
        assertThat(q.defaults()).isEqualTo(new QuotasConfig.PrincipalRates(new QuotasConfig.ByteRates(10_485_760, 20_971_520),
                QuotasConfig.ClientRates.NONE));
        assertThat(q.windowSamples()).isEqualTo(5);
        assertThat(q.sampleLength()).isEqualTo(Duration.ofSeconds(2));
        // A kind an entry leaves out is the default's, as Kafka resolves each quota type on its own.
        assertThat(rates(q, "User:alice", "any")).containsExactly("user User:alice 1048576", "user User:alice 20971520");
        assertThat(rates(q, "User:CN=app,OU=team", "any")).containsExactly("user User:CN=app,OU=team 10485760",
                "user User:CN=app,OU=team 5000000000");
        assertThat(rates(q, "User:bob", "any")).containsExactly("user User:bob 10485760", "user User:bob 20971520");
    }

    /**
     * Kafka's order, each kind on its own: the principal's own rate, the default principal rate, the client id's own
     * rate, the default client-id rate. A principal rate is shared by the principal, a client-id rate by the client id.
     */
    @Test
    void clientIdsAreHeldWhereNoPrincipalRateIs() {
        QuotasConfig q = load("""
                quotas:
                  principals:
                    "User:alice": {produceBytesPerSecond: 100}
                  clients:
                    default: {fetchBytesPerSecond: 400}
                    ids:
                      "app-1": {produceBytesPerSecond: 300}
                      "default": {fetchBytesPerSecond: 500}
                """).quotas();
        assertThat(rates(q, "User:alice", "app-1")).containsExactly("user User:alice 100", "client-id app-1 400");
        assertThat(rates(q, "User:bob", "app-1")).containsExactly("client-id app-1 300", "client-id app-1 400");
        assertThat(rates(q, "User:bob", "other")).containsExactly("none", "client-id other 400");
        assertThat(rates(q, "User:bob", "default")).containsExactly("none", "client-id default 500");
        assertThat(rates(q, "User:bob", null)).containsExactly("none", "client-id  400");
        // a default principal rate comes before any client id's, as in Kafka
        QuotasConfig withDefault = load("quotas: {default: {produceBytesPerSecond: 7}, clients: {ids: {app-1: {produceBytesPerSecond: 300}}}}").quotas();
        assertThat(rates(withDefault, "User:bob", "app-1")).containsExactly("user User:bob 7", "none");
        assertThat(load("quotas: {clients: {default: {produceBytesPerSecond: 1}}}").quotas()).isNotNull();
    }

    /**
     * Kafka's eight levels, each kind on its own (its {@code ClientQuotaManager}): the user's rate for the client id,
     * the user's default client-id rate, the user's own; the default user's for the client id, its default client-id
     * rate, the default user's own; the client id's own, the default client id's. Each level is given here for one
     * kind only, so that the other kind falls through to the next level that gives it.
     */
    @Test
    void principalsAndClientIdsTogetherComeFirstInKafkasOrder() {
        QuotasConfig q = load("""
                quotas:
                  principals:
                    "User:alice":
                      produceBytesPerSecond: 3
                      clients:
                        default: {fetchBytesPerSecond: 2}
                        ids:
                          app: {produceBytesPerSecond: 1}
                          "default": {fetchBytesPerSecond: 9}
                    "User:bob":
                      clients: {ids: {app: {fetchBytesPerSecond: 10}}}
                  default:
                    fetchBytesPerSecond: 6
                    clients:
                      default: {produceBytesPerSecond: 5}
                      ids:
                        app: {fetchBytesPerSecond: 4}
                  clients:
                    default: {produceBytesPerSecond: 8, fetchBytesPerSecond: 8}
                    ids: {app: {produceBytesPerSecond: 7}}
                """).quotas();
        assertThat(rates(q, "User:alice", "app")).containsExactly("user User:alice client-id app 1", "user User:alice client-id app 2");
        assertThat(rates(q, "User:alice", "other")).containsExactly("user User:alice 3", "user User:alice client-id other 2");
        assertThat(rates(q, "User:alice", "default")).as("a client id named default is not the default")
                .containsExactly("user User:alice 3", "user User:alice client-id default 9");
        assertThat(rates(q, "User:bob", "app")).containsExactly("user User:bob client-id app 5", "user User:bob client-id app 10");
        assertThat(rates(q, "User:bob", "other")).containsExactly("user User:bob client-id other 5", "user User:bob 6");
        assertThat(rates(q, "User:carol", "app")).containsExactly("user User:carol client-id app 5", "user User:carol client-id app 4");
        assertThat(rates(q, "User:carol", null)).containsExactly("user User:carol client-id  5", "user User:carol 6");

        QuotasConfig clientsOnly = load("""
                quotas:
                  default: {clients: {ids: {app: {fetchBytesPerSecond: 4}}}}
                  clients:
                    default: {produceBytesPerSecond: 8, fetchBytesPerSecond: 8}
                    ids: {app: {produceBytesPerSecond: 7}}
                """).quotas();
        assertThat(rates(clientsOnly, "User:carol", "app")).containsExactly("client-id app 7", "user User:carol client-id app 4");
        assertThat(rates(clientsOnly, "User:carol", "other")).containsExactly("client-id other 8", "client-id other 8");
        assertThat(load("quotas: {principals: {\"User:a\": {clients: {default: {fetchBytesPerSecond: 1}}}}}").quotas()).isNotNull();
    }

    /** The produce and the fetch quota that hold this principal with this client id, as their entity and rate. */
    private static List<String> rates(QuotasConfig q, String principal, String clientId) {
        return java.util.Arrays.stream(QuotasConfig.Kind.values()).map(kind -> q.quotaOf(principal, clientId, kind))
                .map(quota -> quota == null ? "none" : quota.entity() + " " + quota.bytesPerSecond()).toList();
    }

    @Test
    void withoutADefaultOnlyTheNamedPrincipalsAreLimited() {
        QuotasConfig q = load("quotas: {principals: {\"User:alice\": {produceBytesPerSecond: 1024}}}").quotas();
        assertThat(rates(q, "User:alice", "any")).containsExactly("user User:alice 1024", "none");
        assertThat(rates(q, "User:ANONYMOUS", "any")).containsExactly("none", "none");
        assertThat(q.windowSamples()).isEqualTo(11);
        assertThat(q.sampleLength()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void noQuotasMeansNone() {
        assertThat(load("").quotas()).isNull();
        assertThat(load("quotas: {}").quotas()).isNull();
        assertThat(load("quotas: {default: {}, windowSamples: 3}").quotas()).isNull();
        assertThat(load("quotas: {clients: {default: {}}}").quotas()).isNull();
        assertThat(load("quotas: {default: {clients: {default: {}, ids: {}}}}").quotas()).isNull();
    }

    @Test
    void theConnectionCreationRateHasAGenerousDefaultAndZeroTurnsItOff() {
        assertThat(load("").limits().maxConnectionCreationRatePerIp()).isEqualTo(100);
        assertThat(load("limits: {maxConnections: 5}").limits().maxConnectionCreationRatePerIp()).isEqualTo(100);
        assertThat(load("limits: {maxConnectionCreationRatePerIp: 7}").limits().maxConnectionCreationRatePerIp()).isEqualTo(7);
        assertThat(load("limits: {maxConnectionCreationRatePerIp: 0}").limits().maxConnectionCreationRatePerIp()).isZero();
    }

    /** Addresses with limits of their own, in Java's notation; a limit an entry leaves out is the default's. */
    @Test
    void someAddressesHaveLimitsOfTheirOwn() {
        LimitsConfig limits = load("""
                limits:
                  maxConnectionsPerIp: 10
                  maxConnectionCreationRatePerIp: 20
                  ipOverrides:
                    "10.0.0.5": {maxConnections: 500}
                    "10.0.0.6": {maxConnectionCreationRate: 0}
                    "::1": {maxConnections: 3, maxConnectionCreationRate: 4}
                """).limits();
        assertThat(limits.maxConnectionsFrom("10.0.0.5")).isEqualTo(500);
        assertThat(limits.connectionCreationRateFrom("10.0.0.5")).isEqualTo(20);
        assertThat(limits.maxConnectionsFrom("10.0.0.6")).isEqualTo(10);
        assertThat(limits.connectionCreationRateFrom("10.0.0.6")).as("no limit").isZero();
        assertThat(limits.maxConnectionsFrom("0:0:0:0:0:0:0:1")).as("::1 as client addresses are written").isEqualTo(3);
        assertThat(limits.connectionCreationRateFrom("0:0:0:0:0:0:0:1")).isEqualTo(4);
        assertThat(limits.maxConnectionsFrom("10.0.0.7")).isEqualTo(10);
        assertThat(limits.connectionCreationRateFrom("10.0.0.7")).isEqualTo(20);
        assertThat(load("").limits().ipOverrides()).isEmpty();
    }

    @Test
    void theLoginTimeoutDefaultsToThirtySecondsAndZeroTurnsItOff() {
        assertThat(load("").limits().loginTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(load("limits: {maxConnections: 5}").limits().loginTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(load("limits: {loginTimeoutSeconds: 5}").limits().loginTimeout()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(load("limits: {loginTimeoutSeconds: 0}").limits().loginTimeout()).isZero();
    }

    @Test
    void errorsNameTheKeyAndWhatIsExpected() {
        List<String[]> cases = List.of(
                new String[] {"limits: {loginTimeoutSeconds: 3601}",
                        "w.yaml: limits.loginTimeoutSeconds: expected an integer between 0 and 3600, got 3601"},
                new String[] {"limits: {maxConnectionCreationRatePerIp: -1}",
                        "w.yaml: limits.maxConnectionCreationRatePerIp: expected an integer between 0 and 2147483647, got -1"},
                new String[] {"limits: {maxConnectionCreationRatePerIp: fast}",
                        "w.yaml: limits.maxConnectionCreationRatePerIp: expected an integer between 0 and 2147483647, got 'fast'"},
                new String[] {"limits: {ipOverrides: {kafka-client.example.com: {maxConnections: 5}}}",
                        "w.yaml: limits.ipOverrides.\"kafka-client.example.com\": expected an IP address such as 10.1.2.3 (as Kafka, the client's "
                                + "address is compared; no host names or CIDR blocks): host 'kafka-client.example.com' is not an IP address"},
                new String[] {"limits: {ipOverrides: {10.0.0.0/8: {maxConnections: 5}}}",
                        "w.yaml: limits.ipOverrides.\"10.0.0.0/8\": expected an IP address such as 10.1.2.3"},
                new String[] {"limits: {ipOverrides: {10.0.0.256: {maxConnections: 5}}}",
                        "w.yaml: limits.ipOverrides.\"10.0.0.256\": expected an IP address such as 10.1.2.3"},
                new String[] {"limits: {ipOverrides: {10.0.0.5: {}}}",
                        "w.yaml: limits.ipOverrides.\"10.0.0.5\": gives no limit; expected maxConnections and/or maxConnectionCreationRate"},
                new String[] {"limits: {ipOverrides: {10.0.0.5: {maxConnections: 0}}}",
                        "w.yaml: limits.ipOverrides.\"10.0.0.5\".maxConnections: expected an integer between 1 and 2147483647, got 0"},
                new String[] {"limits: {ipOverrides: {10.0.0.5: {maxConnectionCreationRate: -1}}}",
                        "w.yaml: limits.ipOverrides.\"10.0.0.5\".maxConnectionCreationRate: expected an integer between 0 and 2147483647, got -1"},
                new String[] {"limits: {ipOverrides: {10.0.0.5: {maxConnectionsPerIp: 5}}}",
                        "w.yaml: limits.ipOverrides.\"10.0.0.5\".maxConnectionsPerIp: unknown key; expected one of [maxConnections, maxConnectionCreationRate]"},
                new String[] {"limits: {ipOverrides: {\"::1\": {maxConnections: 5}, \"0:0:0:0:0:0:0:1\": {maxConnections: 6}}}",
                        "w.yaml: limits.ipOverrides.\"0:0:0:0:0:0:0:1\": is the address 0:0:0:0:0:0:0:1 again, given once already in another notation"},
                new String[] {"limits: {ipOverrides: [10.0.0.5]}", "w.yaml: limits.ipOverrides: expected a mapping (key: value), got a list"},
                new String[] {"quotas: {default: {produceBytesPerSecond: -5}}",
                        "w.yaml: quotas.default.produceBytesPerSecond: expected an integer between 1 and 9223372036854775807, got -5"},
                new String[] {"quotas: {default: {fetchBytesPerSecond: 0}}",
                        "w.yaml: quotas.default.fetchBytesPerSecond: expected an integer between 1 and 9223372036854775807, got 0"},
                new String[] {"quotas: {default: {fetchBytesPerSecond: 1MB}}",
                        "w.yaml: quotas.default.fetchBytesPerSecond: expected an integer between 1 and 9223372036854775807, got '1MB'"},
                new String[] {"quotas: {default: {fetchBytesPerSecond: 1.5}}",
                        "w.yaml: quotas.default.fetchBytesPerSecond: expected an integer between 1 and 9223372036854775807, got '1.5'"},
                new String[] {"quotas: {default: {produceBytesPerSec: 5}}",
                        "w.yaml: quotas.default.produceBytesPerSec: unknown key; expected one of [produceBytesPerSecond, fetchBytesPerSecond, clients]"},
                new String[] {"quotas: {defaults: {produceBytesPerSecond: 5}}",
                        "w.yaml: quotas.defaults: unknown key; expected one of [default, principals, clients, windowSamples, windowSampleSeconds]"},
                new String[] {"quotas: {clients: {app-1: {produceBytesPerSecond: 5}}}",
                        "w.yaml: quotas.clients.app-1: unknown key; expected one of [default, ids]"},
                new String[] {"quotas: {clients: {ids: {app-1: {}}}}",
                        "w.yaml: quotas.clients.ids.\"app-1\": gives no rate; expected produceBytesPerSecond and/or fetchBytesPerSecond"},
                new String[] {"quotas: {clients: {ids: {app-1: {fetchBytesPerSecond: 0}}}}",
                        "w.yaml: quotas.clients.ids.\"app-1\".fetchBytesPerSecond: expected an integer between 1 and 9223372036854775807, got 0"},
                new String[] {"quotas: {clients: [app-1]}", "w.yaml: quotas.clients: expected a mapping (key: value), got a list"},
                new String[] {"quotas: {default: 5}", "w.yaml: quotas.default: expected a mapping (key: value), got '5'"},
                new String[] {"quotas: {principals: [alice]}", "w.yaml: quotas.principals: expected a mapping (key: value), got a list"},
                new String[] {"quotas: {principals: {alice: {produceBytesPerSecond: 5}}}",
                        "w.yaml: quotas.principals.\"alice\": a principal must be Type:name, e.g. User:alice"},
                new String[] {"quotas: {principals: {\"User:\": {produceBytesPerSecond: 5}}}",
                        "w.yaml: quotas.principals.\"User:\": a principal must be Type:name, e.g. User:alice"},
                new String[] {"quotas: {principals: {\"Group:x\": {produceBytesPerSecond: 5}}}",
                        "w.yaml: quotas.principals.\"Group:x\": has type 'Group'; Warden's clients are User principals"},
                new String[] {"quotas: {principals: {\"User:alice\": {}}}",
                        "w.yaml: quotas.principals.\"User:alice\": gives no rate; expected produceBytesPerSecond and/or fetchBytesPerSecond, "
                                + "or rates by client id under clients"},
                new String[] {"quotas: {principals: {\"User:alice\": {clients: {default: {}}}}}",
                        "w.yaml: quotas.principals.\"User:alice\": gives no rate; expected produceBytesPerSecond and/or fetchBytesPerSecond, "
                                + "or rates by client id under clients"},
                new String[] {"quotas: {principals: {\"User:alice\": {clients: {ids: {app: {}}}}}}",
                        "w.yaml: quotas.principals.\"User:alice\".clients.ids.\"app\": gives no rate; expected produceBytesPerSecond and/or fetchBytesPerSecond"},
                new String[] {"quotas: {principals: {\"User:alice\": {clients: {app: {produceBytesPerSecond: 5}}}}}",
                        "w.yaml: quotas.principals.\"User:alice\".clients.app: unknown key; expected one of [default, ids]"},
                new String[] {"quotas: {principals: {\"User:alice\": {client: {}}}}",
                        "w.yaml: quotas.principals.\"User:alice\".client: unknown key; expected one of [produceBytesPerSecond, fetchBytesPerSecond, clients]"},
                new String[] {"quotas: {default: {clients: {default: {fetchBytesPerSecond: -1}}}}",
                        "w.yaml: quotas.default.clients.default.fetchBytesPerSecond: expected an integer between 1 and 9223372036854775807, got -1"},
                new String[] {"quotas: {default: {clients: [a]}}", "w.yaml: quotas.default.clients: expected a mapping (key: value), got a list"},
                new String[] {"quotas: {principals: {\"User:alice\": {fetchBytesPerSecond: x}}}",
                        "w.yaml: quotas.principals.\"User:alice\".fetchBytesPerSecond: expected an integer between 1 and 9223372036854775807, got 'x'"},
                new String[] {"quotas: {default: {produceBytesPerSecond: 5}, windowSamples: 1}",
                        "w.yaml: quotas.windowSamples: expected an integer between 2 and 100, got 1"},
                new String[] {"quotas: {default: {produceBytesPerSecond: 5}, windowSampleSeconds: 0}",
                        "w.yaml: quotas.windowSampleSeconds: expected an integer between 1 and 60, got 0"});
        for (String[] c : cases) {
            assertThatThrownBy(() -> load(c[0])).as(c[0]).isInstanceOf(ConfigException.class).hasMessageStartingWith(c[1]);
        }
    }
}
