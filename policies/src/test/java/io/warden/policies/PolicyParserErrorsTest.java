package io.warden.policies;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each bad input fails with one message that names the line, column and field, and says what to write instead. */
class PolicyParserErrorsTest {

    private static final String ENTRY = """
            acls:
              - principal: User:alice
            """;

    static Stream<Arguments> badInputs() {
        return Stream.of(
                // the document
                Arguments.of("", "policy.yaml: no policy in the file (it is empty or only comments); expected at"
                        + " least acls: [...]"),
                Arguments.of("- acls\n", "policy.yaml:1:1: expected a policy: a mapping with superUsers,"
                        + " allowEveryoneIfNoAclFound and acls, found a list"),
                Arguments.of("superUsers: []\n", "policy.yaml:1:1: missing acls (a policy without ACLs says so with"
                        + " acls: [])"),
                Arguments.of("acls: []\nacl: []\n", "policy.yaml:2:1: acl: unknown key (did you mean acls?); expected"
                        + " one of [superUsers, allowEveryoneIfNoAclFound, acls]"),
                Arguments.of("acls: []\nacls: []\n", "policy.yaml:2:1: acls: duplicate key (first at line 1)"),
                Arguments.of("acls:\n", "policy.yaml:1:6: acls: expected a list of ACL entries, found nothing"),
                Arguments.of("acls: []\n---\nacls: []\n", "policy.yaml:2:1: not valid YAML: expected a single"
                        + " document in the stream, but found another document"),
                Arguments.of("acls: [\n", "policy.yaml:2:1: not valid YAML: while parsing a flow node, expected"
                        + " the node content, but found '<stream end>'"),
                Arguments.of("base: &b {principal: User:a}\nacls:\n  - <<: *b\n", "policy.yaml:1:1: base: unknown key;"
                        + " expected one of [superUsers, allowEveryoneIfNoAclFound, acls]"),
                Arguments.of("acls:\n  - <<: {principal: User:a}\n", "policy.yaml:2:5: acls[0].<<: YAML merge keys are"
                        + " not supported; write the fields out so that reviewers see them"),
                Arguments.of("allowEveryoneIfNoAclFound: yes\nacls: []\n", "policy.yaml:1:28:"
                        + " allowEveryoneIfNoAclFound: expected true or false, found 'yes'"),

                // super users
                Arguments.of("superUsers: User:a;User:b\nacls: []\n", "policy.yaml:1:13: superUsers: expected a list"
                        + " such as [User:a, User:b]; Kafka's super.users separates principals with ';', here each is"
                        + " its own list item"),
                Arguments.of("superUsers: [\"User:a;User:b\"]\nacls: []\n", "policy.yaml:1:14: superUsers[0]: one"
                        + " principal per list item; Kafka's super.users separates principals with ';', here each is"
                        + " its own item"),
                Arguments.of("superUsers: [\"User:*\"]\nacls: []\n", "policy.yaml:1:14: superUsers[0]: User:* as a"
                        + " super user matches only a user named '*' (Kafka compares super users exactly); to let"
                        + " everyone in, use allowEveryoneIfNoAclFound or an ACL for User:*"),
                Arguments.of("superUsers: [admin]\nacls: []\n", "policy.yaml:1:14: superUsers[0]: principal 'admin'"
                        + " must be Type:name, e.g. User:alice"),

                // principals
                Arguments.of("acls:\n  - principal: alice\n", "policy.yaml:2:16: acls[0].principal: principal"
                        + " 'alice' must be Type:name, e.g. User:alice"),
                Arguments.of("acls:\n  - principal: user:alice\n", "policy.yaml:2:16: acls[0].principal: principal"
                        + " 'user:alice' has type 'user'; Warden's clients are User principals (the type is"
                        + " case-sensitive), e.g. User:alice"),
                Arguments.of("acls:\n  - principal: 'User: alice'\n", "policy.yaml:2:16: acls[0].principal:"
                        + " principal 'User: alice' has spaces at the start or end of its name"),
                Arguments.of("acls:\n  - principals: [User:CN=a,OU=b]\n", "policy.yaml:2:28: acls[0].principals[1]:"
                        + " principal 'OU=b' must be Type:name, e.g. User:alice (a certificate name with commas must"
                        + " be quoted as a whole: \"User:CN=app,OU=team\")"),
                Arguments.of("acls:\n  - principals: User:a\n", "policy.yaml:2:17: acls[0].principals: expected a"
                        + " list such as [User:alice]; for one principal write principal: User:a"),
                Arguments.of("acls:\n  - principals: []\n", "policy.yaml:2:17: acls[0].principals: must not be"
                        + " empty; expected a list of principals"),
                Arguments.of("acls:\n  - principal: User:a\n    principals: [User:b]\n", "policy.yaml:3:17:"
                        + " acls[0].principals: give either principal or principals, not both"),
                Arguments.of("acls:\n  - operation: read\n    topic: t\n", "policy.yaml:2:5: acls[0]: missing"
                        + " principal (or principals)"),
                Arguments.of("acls:\n  - User:alice\n", "policy.yaml:2:5: acls[0]: expected an ACL entry with"
                        + " principal, operations and a resource such as topics, found 'User:alice'"),

                // keys of an entry
                Arguments.of(ENTRY + "    opertions: [read]\n", "policy.yaml:3:5: acls[0].opertions: unknown key"
                        + " (did you mean operations?); expected one of [principal, principals, host, hosts,"
                        + " permission, operation, operations, topic, topics, group, groups, transactionalId,"
                        + " transactionalIds, cluster, delegationToken, delegationTokens, user, users, resource,"
                        + " resources]"),
                Arguments.of(ENTRY + "    operations: [read]\n    operations: [write]\n", "policy.yaml:4:5:"
                        + " acls[0].operations: duplicate key (first at line 3)"),

                // operations
                Arguments.of(ENTRY + "    operations: [wirte]\n    topic: t\n", "policy.yaml:3:18:"
                        + " acls[0].operations[0]: unknown operation 'wirte' (did you mean write?); expected one of"
                        + " [all, read, write, create, delete, alter, describe, cluster_action, describe_configs,"
                        + " alter_configs, idempotent_write, create_tokens, describe_tokens, two_phase_commit]"),
                Arguments.of(ENTRY + "    operations: [any]\n    topic: t\n", "policy.yaml:3:18:"
                        + " acls[0].operations[0]: unknown operation 'any'; expected one of [all, read, write, create,"
                        + " delete, alter, describe, cluster_action, describe_configs, alter_configs, idempotent_write,"
                        + " create_tokens, describe_tokens, two_phase_commit]"),
                Arguments.of(ENTRY + "    operations: write\n    topic: t\n", "policy.yaml:3:17: acls[0].operations:"
                        + " expected a list such as [read]; for one operation write operation: write"),
                Arguments.of(ENTRY + "    operation: [read, write]\n    topic: t\n", "policy.yaml:3:16:"
                        + " acls[0].operation: expected one operation, found a list; for several write operations:"
                        + " [...]"),
                Arguments.of(ENTRY + "    operations: [read, write]\n    topic: t\n    group: g\n", "policy.yaml:3:24:"
                        + " acls[0].operations[1]: operation 'write' does not apply to groups; valid for groups: [all,"
                        + " read, delete, describe, describe_configs, alter_configs]"),
                Arguments.of(ENTRY + "    operation: read\n    cluster: true\n", "policy.yaml:3:16: acls[0].operation:"
                        + " operation 'read' does not apply to the cluster; valid for the cluster: [all, create, alter,"
                        + " describe, cluster_action, describe_configs, alter_configs, idempotent_write]"),
                Arguments.of(ENTRY + "    operation: idempotent_write\n    topic: t\n", "policy.yaml:3:16:"
                        + " acls[0].operation: operation 'idempotent_write' does not apply to topics; valid for"
                        + " topics: [all, read, write, create, delete, alter, describe, describe_configs,"
                        + " alter_configs]"),
                Arguments.of(ENTRY + "    operation: read\n    transactionalId: tx\n", "policy.yaml:3:16:"
                        + " acls[0].operation: operation 'read' does not apply to transactional ids; valid for"
                        + " transactional ids: [all, write, describe, two_phase_commit]"),
                Arguments.of(ENTRY + "    topic: t\n", "policy.yaml:2:5: acls[0]: missing operation (or"
                        + " operations)"),

                // permission and host
                Arguments.of(ENTRY + "    permission: grant\n", "policy.yaml:3:17: acls[0].permission: expected allow"
                        + " or deny, found 'grant'"),
                Arguments.of(ENTRY + "    host: app1.internal\n", "policy.yaml:3:11: acls[0].host: host"
                        + " 'app1.internal' is not an IP address; Kafka matches the client's IP address, so write"
                        + " \"*\", an address such as 10.1.2.3, or a CIDR block such as 10.1.0.0/16"),
                Arguments.of(ENTRY + "    host: 10.0.0.256\n", "policy.yaml:3:11: acls[0].host: '10.0.0.256' is not a"
                        + " valid IPv4 address (four numbers 0-255, no leading zeros)"),
                Arguments.of(ENTRY + "    host: \"fe80::1::2\"\n", "policy.yaml:3:11: acls[0].host: 'fe80::1::2' is not"
                        + " a valid IPv6 address"),
                Arguments.of(ENTRY + "    hosts: [10.1.2.3/8]\n", "policy.yaml:3:13: acls[0].hosts[0]: CIDR block"
                        + " '10.1.2.3/8' has bits set after the first 8; did you mean 10.0.0.0/8?"),
                Arguments.of(ENTRY + "    host: 10.0.0.0/33\n", "policy.yaml:3:11: acls[0].host: CIDR block"
                        + " '10.0.0.0/33' needs a prefix length from 0 to 32"),
                Arguments.of(ENTRY + "    host: *\n", "policy.yaml:3:12: not valid YAML: while scanning an alias,"
                        + " unexpected character found \\n(10) (a lone * starts a YAML alias; quote the wildcard:"
                        + " \"*\")"),
                Arguments.of(ENTRY + "\toperation: read\n", "policy.yaml:3:1: not valid YAML: while scanning for the"
                        + " next token, found character '\\t(TAB)' that cannot start any token. (Do not use \\t(TAB)"
                        + " for indentation)"),

                // resources
                Arguments.of(ENTRY + "    operation: read\n", "policy.yaml:2:5: acls[0]: no resource; add topics,"
                        + " groups, transactionalIds, cluster: true, delegationTokens, users or resources"),
                Arguments.of(ENTRY + "    operation: read\n    topics: orders\n", "policy.yaml:4:13: acls[0].topics:"
                        + " expected a list such as [orders] or {prefix: orders}; for one name write topic: orders"),
                Arguments.of(ENTRY + "    operation: read\n    topic: [a, b]\n", "policy.yaml:4:12: acls[0].topic:"
                        + " expected one name, found a list; for several write topics: [...]"),
                Arguments.of(ENTRY + "    operation: read\n    topic: a\n    topics: [b]\n", "policy.yaml:5:13:"
                        + " acls[0].topics: give either topic or topics, not both"),
                Arguments.of(ENTRY + "    operation: read\n    topics: [\"orders.*\"]\n", "policy.yaml:4:14:"
                        + " acls[0].topics[0]: 'orders.*' is not a pattern: names are literal, and only a lone \"*\""
                        + " matches every name; write {prefix: orders.}"),
                Arguments.of(ENTRY + "    operation: read\n    group: \"*-consumers\"\n", "policy.yaml:4:12:"
                        + " acls[0].group: '*-consumers' is not a pattern: names are literal, and only a lone \"*\""
                        + " matches every name; write [\"*\"] for all groups"),
                Arguments.of(ENTRY + "    operation: read\n    topics: {prefix: \"*\"}\n", "policy.yaml:4:22:"
                        + " acls[0].topics.prefix: a prefix of '*' matches only names that start with '*'; for all"
                        + " topics write [\"*\"]"),
                Arguments.of(ENTRY + "    operation: read\n    topics: {prefixed: orders.}\n", "policy.yaml:4:14:"
                        + " acls[0].topics.prefixed: unknown key (did you mean prefix?); expected one of [prefix]"),
                Arguments.of(ENTRY + "    operation: read\n    topic: orders/eu\n", "policy.yaml:4:12: acls[0].topic:"
                        + " 'orders/eu' is not a valid topic name: topic names use only letters, digits, '.', '_' and"
                        + " '-'"),
                Arguments.of(ENTRY + "    operation: read\n    topic: 'orders '\n", "policy.yaml:4:12: acls[0].topic:"
                        + " 'orders ' has spaces at the start or end"),
                Arguments.of(ENTRY + "    operation: read\n    group: ''\n", "policy.yaml:4:12: acls[0].group: empty"
                        + " name"),
                Arguments.of(ENTRY + "    operation: read\n    topics: [a, ~]\n", "policy.yaml:4:17: acls[0].topics[1]:"
                        + " expected a name or {prefix: NAME}, found nothing"),
                Arguments.of(ENTRY + "    operation: describe\n    cluster: false\n", "policy.yaml:4:14:"
                        + " acls[0].cluster: only 'cluster: true' means something; leave the key out otherwise"),
                Arguments.of(ENTRY + "    operation: create_tokens\n    user: alice\n", "policy.yaml:4:11: acls[0].user:"
                        + " 'alice' is not a user principal; user resources are named like User:alice"),
                Arguments.of(ENTRY + "    operation: read\n    resource: {type: topik, name: t}\n", "policy.yaml:4:22:"
                        + " acls[0].resource.type: unknown resource type 'topik' (did you mean topic?); expected one"
                        + " of [topic, group, cluster, transactional_id, delegation_token, user]"),
                Arguments.of(ENTRY + "    operation: read\n    resource: {type: topic}\n", "policy.yaml:4:15:"
                        + " acls[0].resource: missing name"),
                Arguments.of(ENTRY + "    operation: read\n    resource: {name: t}\n", "policy.yaml:4:15:"
                        + " acls[0].resource: missing type; expected one of [topic, group, cluster, transactional_id,"
                        + " delegation_token, user]"),
                Arguments.of(ENTRY + "    operation: read\n    resource: {type: topic, name: t, patternType: match}\n",
                        "policy.yaml:4:51: acls[0].resource.patternType: 'match' selects ACLs in kafka-acls --list"
                                + " and --remove; an ACL itself is literal or prefixed"),
                Arguments.of(ENTRY + "    operation: describe\n    resource: {type: cluster, name: prod}\n",
                        "policy.yaml:4:37: acls[0].resource.name: the cluster resource is the literal name"
                                + " 'kafka-cluster'"),
                Arguments.of(ENTRY + "    operation: describe\n    resource: {type: cluster, patternType: prefixed}\n",
                        "policy.yaml:4:15: acls[0].resource: the cluster resource is the literal name"
                                + " 'kafka-cluster'"),
                Arguments.of(ENTRY + "    operation: read\n    resources: []\n", "policy.yaml:4:16: acls[0].resources:"
                        + " must not be empty; expected a list of resources, each {type: ..., name: ...}"),
                Arguments.of(ENTRY + "    operation: read\n    resource: {type: topic, name: a}\n"
                        + "    resources: [{type: topic, name: b}]\n", "policy.yaml:5:16: acls[0].resources: give"
                        + " either resource or resources, not both"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badInputs")
    void failsWithThePlaceAndTheFix(String yaml, String message) {
        assertThatThrownBy(() -> PolicyParser.parse("policy.yaml", yaml))
                .isInstanceOf(PolicyException.class)
                .hasMessage(message);
    }

    /** A few kilobytes of policy must not expand to millions of bindings in whoever checks it. */
    @org.junit.jupiter.api.Test
    void anEntryOrAPolicyExpandingBeyondTheLimitIsRefusedBeforeItIsBuilt() {
        StringBuilder principals = new StringBuilder();
        StringBuilder topics = new StringBuilder();
        for (int i = 0; i < 1500; i++) {
            principals.append(i == 0 ? "" : ", ").append("User:u").append(i);
            topics.append(i == 0 ? "" : ", ").append("t").append(i);
        }
        String huge = "acls:\n  - principals: [" + principals + "]\n    operations: [all]\n    topics: [" + topics + "]\n";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PolicyParser.parse("policy.yaml", huge))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("policy.yaml:2:")
                .hasMessageContaining("expands to 2250000 ACL bindings");
        StringBuilder many = new StringBuilder("acls:\n");
        for (int e = 0; e < 3; e++) {
            many.append("  - principals: [").append(principals).append("]\n    operations: [read]\n    topics: [");
            for (int i = 0; i < 60; i++) {
                many.append(i == 0 ? "" : ", ").append("e").append(e).append("t").append(i);
            }
            many.append("]\n");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PolicyParser.parse("policy.yaml", many.toString()))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("more than " + PolicyParser.MAX_BINDINGS + " ACL bindings by this entry");
    }

    /** Room for every binding a policy may have, but not for any text at all: a larger file is not even read. */
    @Test
    void aPolicyLargerThanTheLimitIsRefusedWithItsSize(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("huge.yaml");
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(PolicyParser.MAX_YAML_BYTES + 1L);
        }
        assertThatThrownBy(() -> PolicyParser.load(file))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("the policy is 67108865 bytes, more than the 67108864 a policy may have (64 MiB");

        String text = "acls: []\n#" + "x".repeat(PolicyParser.MAX_YAML_BYTES - 9);
        assertThat(text.length()).isEqualTo(PolicyParser.MAX_YAML_BYTES + 1);
        assertThatThrownBy(() -> PolicyParser.parse("policy", text))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("the policy is 67108865 characters, more than the 67108864");
    }
}
