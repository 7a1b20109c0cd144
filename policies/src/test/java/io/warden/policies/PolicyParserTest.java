package io.warden.policies;

import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;

import static io.warden.policies.Acl.allow;
import static io.warden.policies.Acl.deny;
import static io.warden.policies.Acl.of;
import static org.apache.kafka.common.acl.AclOperation.ALL;
import static org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.CREATE_TOKENS;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.IDEMPOTENT_WRITE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.acl.AclPermissionType.ALLOW;
import static org.apache.kafka.common.acl.AclPermissionType.DENY;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.apache.kafka.common.resource.ResourceType.CLUSTER;
import static org.apache.kafka.common.resource.ResourceType.DELEGATION_TOKEN;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;
import static org.apache.kafka.common.resource.ResourceType.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyParserTest {

    static Stream<Arguments> goodInputs() {
        return Stream.of(
                Arguments.of("the README example", """
                        acls:
                          - principal: User:alice
                            host: "*"
                            permission: allow
                            operations: [write, describe]
                            topics: {prefix: orders.}
                          - principal: User:bob
                            operations: [read]
                            topics: [orders.eu, orders.us]
                            groups: {prefix: billing}
                        """, List.of(
                        allow("User:alice", WRITE, TOPIC, "orders.", PREFIXED),
                        allow("User:alice", DESCRIBE, TOPIC, "orders.", PREFIXED),
                        allow("User:bob", READ, TOPIC, "orders.eu", LITERAL),
                        allow("User:bob", READ, TOPIC, "orders.us", LITERAL),
                        allow("User:bob", READ, GROUP, "billing", PREFIXED))),
                Arguments.of("principals x hosts x operations, per resource", """
                        acls:
                          - principals: [User:a, User:b]
                            hosts: [10.0.0.1, 10.0.0.2]
                            operations: [read, describe]
                            topic: t
                        """, List.of(
                        of("User:a", "10.0.0.1", READ, ALLOW, TOPIC, "t", LITERAL),
                        of("User:a", "10.0.0.1", DESCRIBE, ALLOW, TOPIC, "t", LITERAL),
                        of("User:a", "10.0.0.2", READ, ALLOW, TOPIC, "t", LITERAL),
                        of("User:a", "10.0.0.2", DESCRIBE, ALLOW, TOPIC, "t", LITERAL),
                        of("User:b", "10.0.0.1", READ, ALLOW, TOPIC, "t", LITERAL),
                        of("User:b", "10.0.0.1", DESCRIBE, ALLOW, TOPIC, "t", LITERAL),
                        of("User:b", "10.0.0.2", READ, ALLOW, TOPIC, "t", LITERAL),
                        of("User:b", "10.0.0.2", DESCRIBE, ALLOW, TOPIC, "t", LITERAL))),
                Arguments.of("deny, everyone, every topic", """
                        acls:
                          - principal: User:*
                            permission: DENY
                            operation: all
                            topics: ["*"]
                        """, List.of(deny("User:*", ALL, TOPIC, "*", LITERAL))),
                Arguments.of("resources in the order written, mixed literal and prefix", """
                        acls:
                          - principal: User:a
                            operation: describe
                            group: g1
                            topics: [t1, {prefix: p.}]
                            transactionalIds: {prefix: tx-}
                            delegationToken: tok
                        """, List.of(
                        allow("User:a", DESCRIBE, GROUP, "g1", LITERAL),
                        allow("User:a", DESCRIBE, TOPIC, "t1", LITERAL),
                        allow("User:a", DESCRIBE, TOPIC, "p.", PREFIXED),
                        allow("User:a", DESCRIBE, TRANSACTIONAL_ID, "tx-", PREFIXED),
                        allow("User:a", DESCRIBE, DELEGATION_TOKEN, "tok", LITERAL))),
                Arguments.of("cluster, and operation names in Kafka's spellings", """
                        acls:
                          - principal: User:producer
                            operations: [IdempotentWrite, DESCRIBE_CONFIGS, alter-configs]
                            cluster: true
                        """, List.of(
                        allow("User:producer", IDEMPOTENT_WRITE, CLUSTER, "kafka-cluster", LITERAL),
                        allow("User:producer", DESCRIBE_CONFIGS, CLUSTER, "kafka-cluster", LITERAL),
                        allow("User:producer", ALTER_CONFIGS, CLUSTER, "kafka-cluster", LITERAL))),
                Arguments.of("user resources for delegation tokens", """
                        acls:
                          - principal: User:token-service
                            operation: create_tokens
                            users: [User:alice, {prefix: "User:svc-"}]
                        """, List.of(
                        allow("User:token-service", CREATE_TOKENS, USER, "User:alice", LITERAL),
                        allow("User:token-service", CREATE_TOKENS, USER, "User:svc-", PREFIXED))),
                Arguments.of("explicit resources as Kafka's ResourcePattern", """
                        acls:
                          - principal: User:a
                            operation: describe
                            resources:
                              - {type: TOPIC, name: orders., patternType: PREFIXED}
                              - {type: transactionalId, name: tx}
                              - {type: cluster}
                        """, List.of(
                        allow("User:a", DESCRIBE, TOPIC, "orders.", PREFIXED),
                        allow("User:a", DESCRIBE, TRANSACTIONAL_ID, "tx", LITERAL),
                        allow("User:a", DESCRIBE, CLUSTER, "kafka-cluster", LITERAL))),
                Arguments.of("hosts in the form Kafka compares: IPv6 written out, CIDR kept, /32 is the address", """
                        acls:
                          - principal: User:a
                            hosts: ["::1", 10.1.0.0/16, 192.168.1.7/32, "2001:DB8::/32"]
                            operation: read
                            topic: t
                        """, List.of(
                        of("User:a", "0:0:0:0:0:0:0:1", READ, ALLOW, TOPIC, "t", LITERAL),
                        of("User:a", "10.1.0.0/16", READ, ALLOW, TOPIC, "t", LITERAL),
                        of("User:a", "192.168.1.7", READ, ALLOW, TOPIC, "t", LITERAL),
                        of("User:a", "2001:db8:0:0:0:0:0:0/32", READ, ALLOW, TOPIC, "t", LITERAL))),
                Arguments.of("certificate principals, quoted", """
                        acls:
                          - principals: ["User:CN=app,OU=payments", "User:CN=other,OU=payments"]
                            operation: write
                            topic: t
                        """, List.of(
                        allow("User:CN=app,OU=payments", WRITE, TOPIC, "t", LITERAL),
                        allow("User:CN=other,OU=payments", WRITE, TOPIC, "t", LITERAL))),
                Arguments.of("names are taken as written, not as YAML numbers or booleans", """
                        acls:
                          - principal: User:a
                            operation: read
                            topics: [2024, 'on', 010]
                        """, List.of(
                        allow("User:a", READ, TOPIC, "2024", LITERAL),
                        allow("User:a", READ, TOPIC, "on", LITERAL),
                        allow("User:a", READ, TOPIC, "010", LITERAL))),
                Arguments.of("JSON is YAML too", """
                        {"acls": [{"principal": "User:a", "operations": ["read"], "group": "g"}]}
                        """, List.of(allow("User:a", READ, GROUP, "g", LITERAL))),
                Arguments.of("anchors and aliases reuse a list", """
                        acls:
                          - principals: &payments [User:api, User:worker]
                            operation: write
                            topic: payments
                          - principals: *payments
                            operation: read
                            group: payments
                        """, List.of(
                        allow("User:api", WRITE, TOPIC, "payments", LITERAL),
                        allow("User:worker", WRITE, TOPIC, "payments", LITERAL),
                        allow("User:api", READ, GROUP, "payments", LITERAL),
                        allow("User:worker", READ, GROUP, "payments", LITERAL))),
                Arguments.of("no ACLs at all", "acls: []\n", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodInputs")
    void expandsEntriesToBindings(String name, String yaml, List<AclBinding> expected) {
        PolicyDocument doc = PolicyParser.parse("policy.yaml", yaml);

        assertThat(doc.bindings()).containsExactlyElementsOf(expected);
        assertThat(doc.warnings()).isEmpty();
    }

    @Test
    void readsSuperUsersAndTheDefaultDecision() {
        PolicyDocument doc = PolicyParser.parse("policy.yaml", """
                superUsers: [User:admin, "User:CN=ops,OU=platform"]
                allowEveryoneIfNoAclFound: true
                acls: []
                """);

        assertThat(doc.superUsers()).containsExactly("User:admin", "User:CN=ops,OU=platform");
        assertThat(doc.allowEveryoneIfNoAclFound()).isTrue();
    }

    @Test
    void defaultsAreNoSuperUsersAndKafkasDenyWhenNoAclIsFound() {
        PolicyDocument doc = PolicyParser.parse("policy.yaml", "acls: []\n");

        assertThat(doc.superUsers()).isEmpty();
        assertThat(doc.allowEveryoneIfNoAclFound()).isFalse();
    }

    @Test
    void aBindingGivenTwiceIsKeptOnceAndReported() {
        PolicyDocument doc = PolicyParser.parse("policy.yaml", """
                superUsers: [User:admin, User:admin]
                acls:
                  - principal: User:bob
                    operations: [read, describe]
                    topic: orders
                  - principal: User:bob
                    operations: [read, read]
                    topics: [orders, {prefix: x.}]
                """);

        assertThat(doc.superUsers()).containsExactly("User:admin");
        assertThat(doc.bindings()).containsExactly(
                allow("User:bob", READ, TOPIC, "orders", LITERAL),
                allow("User:bob", DESCRIBE, TOPIC, "orders", LITERAL),
                allow("User:bob", READ, TOPIC, "x.", PREFIXED));
        assertThat(doc.warnings()).containsExactly(
                "policy.yaml:1:26: superUsers[1]: super user User:admin is listed twice",
                "policy.yaml:6:5: acls[1]: allow read on topic 'orders' for User:bob from any host is given twice;"
                        + " first in acls[0] at line 3",
                "policy.yaml:6:5: acls[1]: allow read on topic 'orders' for User:bob from any host is given twice;"
                        + " first in acls[0] at line 3",
                "policy.yaml:6:5: acls[1]: allow read on topics prefixed 'x.' for User:bob from any host is given"
                        + " twice in this entry");
    }

    @Test
    void loadNamesTheFileAndReadsUtf8(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "acls:\n  - principal: User:zoë\n    operation: read\n    topic: café-orders\n");

        assertThatThrownBy(() -> PolicyParser.load(file))
                .isInstanceOf(PolicyException.class)
                .hasMessage(file + ":4:12: acls[0].topic: 'café-orders' is not a valid topic name: topic names use"
                        + " only letters, digits, '.', '_' and '-'");

        Files.writeString(file, "acls:\n  - principal: User:zoë\n    operation: read\n    group: café\n");
        assertThat(PolicyParser.load(file).bindings()).containsExactly(allow("User:zoë", READ, GROUP, "café", LITERAL));
    }

    @Test
    void loadRefusesMissingAndNonUtf8Files(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> PolicyParser.load(missing)).hasMessage(missing + ": file not found");

        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, "acls: [] # caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> PolicyParser.load(latin1)).hasMessage(latin1 + ": not UTF-8 text");
    }

    @Test
    void exceptionsCarryTheirPlace() {
        assertThatThrownBy(() -> PolicyParser.parse("p.yaml", "acls:\n  - principal: alice\n"))
                .isInstanceOfSatisfying(PolicyException.class, e -> {
                    assertThat(e.source()).isEqualTo("p.yaml");
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.column()).isEqualTo(16);
                    assertThat(e.path()).isEqualTo("acls[0].principal");
                });
    }
}
