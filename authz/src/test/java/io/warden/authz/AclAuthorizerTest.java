package io.warden.authz;

import static io.warden.authz.Acls.allow;
import static io.warden.authz.Acls.allowEveryoneAuthorizer;
import static io.warden.authz.Acls.allowFrom;
import static io.warden.authz.Acls.allowPrefixed;
import static io.warden.authz.Acls.authorizer;
import static io.warden.authz.Acls.deny;
import static io.warden.authz.Acls.denyFrom;
import static io.warden.authz.Acls.denyPrefixed;
import static org.apache.kafka.common.acl.AclOperation.ALL;
import static org.apache.kafka.common.acl.AclOperation.ALTER;
import static org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.ResourceType.CLUSTER;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.authz.AuthorizationDecision.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class AclAuthorizerTest {

    private static final String ALICE = "User:alice";
    private static final String BOB = "User:bob";
    private static final String HOST = "10.0.0.1";

    private static AuthorizationDecision check(AclAuthorizer authorizer, String principal, AclOperation operation,
                                               ResourceType type, String name) {
        return authorizer.authorize(principal, HOST, operation, type, name);
    }

    private static AuthorizationDecision checkFrom(AclAuthorizer authorizer, String host, AclOperation operation) {
        return authorizer.authorize(ALICE, host, operation, TOPIC, "orders");
    }

    private static List<AclOperation> concreteOperations() {
        return Arrays.stream(AclOperation.values())
            .filter(op -> op != AclOperation.ANY && op != AclOperation.UNKNOWN)
            .toList();
    }

    @Test
    void superUserIsAllowedEvenWhenDenied() {
        AclBinding denyAll = deny(ALICE, ALL, TOPIC, "*");
        AclAuthorizer authorizer = new AclAuthorizer(new Policy(Set.of(ALICE), false, List.of(denyAll)));

        assertThat(check(authorizer, ALICE, WRITE, TOPIC, "orders")).isEqualTo(AuthorizationDecision.SUPER_USER);
        assertThat(check(authorizer, ALICE, ALTER, CLUSTER, "kafka-cluster").reason()).isEqualTo(Reason.SUPER_USER);
        assertThat(check(authorizer, BOB, WRITE, TOPIC, "orders").allowed()).isFalse();
        assertThat(authorizer.isSuperUser(ALICE)).isTrue();
        assertThat(authorizer.isSuperUser(BOB)).isFalse();
    }

    @Test
    void withoutAclsEverythingIsDeniedByDefault() {
        AuthorizationDecision decision = check(authorizer(), ALICE, READ, TOPIC, "orders");

        assertThat(decision).isEqualTo(AuthorizationDecision.NO_ALLOW_ACL);
        assertThat(decision.rule()).isNull();
    }

    @Test
    void literalAllowAllowsThatResourceAndNamesTheRule() {
        AclBinding rule = allow(ALICE, READ, TOPIC, "orders");
        AclAuthorizer authorizer = authorizer(rule);

        assertThat(check(authorizer, ALICE, READ, TOPIC, "orders"))
            .isEqualTo(new AuthorizationDecision(true, Reason.ALLOWED_BY_ACL, rule));
        assertThat(check(authorizer, ALICE, READ, TOPIC, "orders2"))
            .isEqualTo(AuthorizationDecision.NO_ALLOW_ACL);
        assertThat(check(authorizer, ALICE, READ, TOPIC, "order"))
            .isEqualTo(AuthorizationDecision.NO_ALLOW_ACL);
        assertThat(check(authorizer, BOB, READ, TOPIC, "orders"))
            .isEqualTo(AuthorizationDecision.NO_ALLOW_ACL);
        assertThat(check(authorizer, ALICE, WRITE, TOPIC, "orders"))
            .isEqualTo(AuthorizationDecision.NO_ALLOW_ACL);
    }

    static Stream<Arguments> denyBeatsAllow() {
        return Stream.of(
            Arguments.of("literal deny over literal allow",
                allow(ALICE, READ, TOPIC, "orders"), deny(ALICE, READ, TOPIC, "orders")),
            Arguments.of("prefixed deny over literal allow",
                allow(ALICE, READ, TOPIC, "orders"), denyPrefixed(ALICE, READ, TOPIC, "ord")),
            Arguments.of("wildcard deny over literal allow",
                allow(ALICE, READ, TOPIC, "orders"), deny(ALICE, READ, TOPIC, "*")),
            Arguments.of("literal deny over wildcard allow",
                allow(ALICE, READ, TOPIC, "*"), deny(ALICE, READ, TOPIC, "orders")),
            Arguments.of("literal deny over prefixed allow",
                allowPrefixed(ALICE, READ, TOPIC, "ord"), deny(ALICE, READ, TOPIC, "orders")),
            Arguments.of("longer prefixed deny over shorter prefixed allow",
                allowPrefixed(ALICE, READ, TOPIC, "o"), denyPrefixed(ALICE, READ, TOPIC, "orders")),
            Arguments.of("shorter prefixed deny over longer prefixed allow",
                allowPrefixed(ALICE, READ, TOPIC, "orders"), denyPrefixed(ALICE, READ, TOPIC, "o")),
            Arguments.of("User:* deny over the principal's allow",
                allow(ALICE, READ, TOPIC, "orders"), deny("User:*", READ, TOPIC, "orders")),
            Arguments.of("the principal's deny over a User:* allow",
                allow("User:*", READ, TOPIC, "orders"), deny(ALICE, READ, TOPIC, "orders")),
            Arguments.of("deny ALL over allow READ",
                allow(ALICE, READ, TOPIC, "orders"), deny(ALICE, ALL, TOPIC, "orders")),
            Arguments.of("deny READ over allow ALL",
                allow(ALICE, ALL, TOPIC, "orders"), deny(ALICE, READ, TOPIC, "orders")),
            Arguments.of("deny from the host over allow from anywhere",
                allow(ALICE, READ, TOPIC, "orders"), denyFrom(ALICE, HOST, READ, TOPIC, "orders")),
            Arguments.of("deny from a CIDR block over allow from the host",
                allowFrom(ALICE, HOST, READ, TOPIC, "orders"), denyFrom(ALICE, "10.0.0.0/24", READ, TOPIC, "orders")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void denyBeatsAllow(String description, AclBinding allowRule, AclBinding denyRule) {
        for (AclAuthorizer authorizer : List.of(authorizer(allowRule, denyRule), authorizer(denyRule, allowRule))) {
            assertThat(check(authorizer, ALICE, READ, TOPIC, "orders"))
                .isEqualTo(new AuthorizationDecision(false, Reason.DENIED_BY_ACL, denyRule));
        }
        assertThat(check(authorizer(allowRule), ALICE, READ, TOPIC, "orders"))
            .isEqualTo(new AuthorizationDecision(true, Reason.ALLOWED_BY_ACL, allowRule));
    }

    @ParameterizedTest(name = "ALLOW {0} ⇒ {1} allowed: {2}")
    @CsvSource({
        "READ, DESCRIBE, true",
        "WRITE, DESCRIBE, true",
        "DELETE, DESCRIBE, true",
        "ALTER, DESCRIBE, true",
        "DESCRIBE, DESCRIBE, true",
        "ALTER_CONFIGS, DESCRIBE_CONFIGS, true",
        "DESCRIBE_CONFIGS, DESCRIBE_CONFIGS, true",
        "CREATE, DESCRIBE, false",
        "ALTER_CONFIGS, DESCRIBE, false",
        "DESCRIBE_CONFIGS, DESCRIBE, false",
        "ALTER, DESCRIBE_CONFIGS, false",
        "DESCRIBE, READ, false",
        "READ, WRITE, false",
        "WRITE, READ, false",
        "ALTER, ALTER_CONFIGS, false",
        "DESCRIBE_CONFIGS, ALTER_CONFIGS, false",
        "IDEMPOTENT_WRITE, WRITE, false",
        "WRITE, IDEMPOTENT_WRITE, false",
        "CLUSTER_ACTION, DESCRIBE, false"
    })
    void impliedOperationsForAllow(AclOperation granted, AclOperation requested, boolean allowed) {
        AclBinding rule = allow(ALICE, granted, TOPIC, "orders");

        AuthorizationDecision decision = check(authorizer(rule), ALICE, requested, TOPIC, "orders");

        assertThat(decision.allowed()).isEqualTo(allowed);
        assertThat(decision.rule()).isEqualTo(allowed ? rule : null);
    }

    @ParameterizedTest(name = "DENY {0} does not deny {1}")
    @CsvSource({
        "DESCRIBE, READ",
        "DESCRIBE, WRITE",
        "DESCRIBE, ALTER",
        "DESCRIBE_CONFIGS, ALTER_CONFIGS",
        "READ, DESCRIBE",
        "ALTER_CONFIGS, DESCRIBE_CONFIGS"
    })
    void denyMatchesOnlyItsOwnOperation(AclOperation denied, AclOperation requested) {
        AclBinding allowAll = allow(ALICE, ALL, TOPIC, "orders");
        AclAuthorizer authorizer = authorizer(allowAll, deny(ALICE, denied, TOPIC, "orders"));

        assertThat(check(authorizer, ALICE, requested, TOPIC, "orders"))
            .isEqualTo(new AuthorizationDecision(true, Reason.ALLOWED_BY_ACL, allowAll));
        assertThat(check(authorizer, ALICE, denied, TOPIC, "orders").reason()).isEqualTo(Reason.DENIED_BY_ACL);
    }

    @Test
    void denyReadLeavesDescribeImpliedByAllowRead() {
        AclBinding allowRead = allow(ALICE, READ, TOPIC, "orders");
        AclAuthorizer authorizer = authorizer(allowRead, deny(ALICE, READ, TOPIC, "orders"));

        assertThat(check(authorizer, ALICE, DESCRIBE, TOPIC, "orders"))
            .isEqualTo(new AuthorizationDecision(true, Reason.ALLOWED_BY_ACL, allowRead));
        assertThat(check(authorizer, ALICE, READ, TOPIC, "orders").allowed()).isFalse();
    }

    @Test
    void allowAllAllowsEveryOperationAndDenyAllDeniesEveryOperation() {
        AclAuthorizer allowAll = authorizer(allow(ALICE, ALL, TOPIC, "orders"));
        AclAuthorizer denyAll = authorizer(allow(ALICE, ALL, TOPIC, "orders"), deny(ALICE, ALL, TOPIC, "orders"));
        List<AclBinding> everyOperation = new ArrayList<>();
        for (AclOperation operation : concreteOperations()) {
            everyOperation.add(allow(ALICE, operation, TOPIC, "orders"));
        }
        everyOperation.add(deny(ALICE, ALL, TOPIC, "orders"));
        AclAuthorizer denyAllOverEach = authorizer(everyOperation.toArray(AclBinding[]::new));

        for (AclOperation operation : concreteOperations()) {
            assertThat(check(allowAll, ALICE, operation, TOPIC, "orders").allowed()).as("allow %s", operation).isTrue();
            assertThat(check(denyAll, ALICE, operation, TOPIC, "orders").allowed()).as("deny %s", operation).isFalse();
            assertThat(check(denyAllOverEach, ALICE, operation, TOPIC, "orders").reason())
                .as("deny ALL over allow %s", operation).isEqualTo(Reason.DENIED_BY_ACL);
        }
    }

    @Test
    void wildcardPrincipalMatchesEveryone() {
        AclBinding rule = allow("User:*", READ, TOPIC, "orders");
        AclAuthorizer authorizer = authorizer(rule);

        assertThat(check(authorizer, ALICE, READ, TOPIC, "orders").rule()).isEqualTo(rule);
        assertThat(check(authorizer, BOB, READ, TOPIC, "orders").rule()).isEqualTo(rule);
        assertThat(check(authorizer, "User:CN=client1,OU=payments", READ, TOPIC, "orders").allowed()).isTrue();
        assertThat(check(authorizer, ALICE, WRITE, TOPIC, "orders").allowed()).isFalse();
    }

    @Test
    void principalsMatchExactly() {
        AclAuthorizer authorizer = authorizer(allow(ALICE, READ, TOPIC, "orders"));

        assertThat(check(authorizer, "User:Alice", READ, TOPIC, "orders").allowed()).isFalse();
        assertThat(check(authorizer, "User:alice ", READ, TOPIC, "orders").allowed()).isFalse();
        assertThat(check(authorizer, "Group:alice", READ, TOPIC, "orders").allowed()).isFalse();
    }

    @Test
    void hostsMatchExactlyOrByWildcard() {
        AclAuthorizer exact = authorizer(allowFrom(ALICE, "10.0.0.1", READ, TOPIC, "orders"));
        AclAuthorizer any = authorizer(allowFrom(ALICE, "*", READ, TOPIC, "orders"));

        assertThat(checkFrom(exact, "10.0.0.1", READ).allowed()).isTrue();
        assertThat(checkFrom(exact, "10.0.0.2", READ).allowed()).isFalse();
        assertThat(checkFrom(exact, "10.0.0.10", READ).allowed()).isFalse();
        assertThat(checkFrom(any, "10.0.0.2", READ).allowed()).isTrue();
        assertThat(checkFrom(any, "2001:db8:0:0:0:0:0:1", READ).allowed()).isTrue();
    }

    @Test
    void ipv4CidrBlocks() {
        AclAuthorizer authorizer = authorizer(
            allowFrom(ALICE, "10.0.0.0/8", READ, TOPIC, "orders"),
            denyFrom(ALICE, "10.9.0.0/16", READ, TOPIC, "orders"));

        assertThat(checkFrom(authorizer, "10.0.0.1", READ).allowed()).isTrue();
        assertThat(checkFrom(authorizer, "10.255.255.255", READ).allowed()).isTrue();
        assertThat(checkFrom(authorizer, "11.0.0.0", READ).allowed()).isFalse();
        assertThat(checkFrom(authorizer, "9.255.255.255", READ).allowed()).isFalse();
        assertThat(checkFrom(authorizer, "10.9.1.2", READ).reason()).isEqualTo(Reason.DENIED_BY_ACL);
        assertThat(checkFrom(authorizer, "::ffff:10.0.0.1", READ).allowed()).isFalse();
        assertThat(checkFrom(authorizer, "not-an-address", READ).allowed()).isFalse();

        AclAuthorizer single = authorizer(allowFrom(ALICE, "192.168.1.7/32", READ, TOPIC, "orders"));
        assertThat(checkFrom(single, "192.168.1.7", READ).allowed()).isTrue();
        assertThat(checkFrom(single, "192.168.1.6", READ).allowed()).isFalse();

        AclAuthorizer everyV4 = authorizer(allowFrom(ALICE, "0.0.0.0/0", READ, TOPIC, "orders"));
        assertThat(checkFrom(everyV4, "203.0.113.9", READ).allowed()).isTrue();
        assertThat(checkFrom(everyV4, "::1", READ).allowed()).isFalse();
    }

    @Test
    void ipv6CidrBlocks() {
        AclAuthorizer authorizer = authorizer(allowFrom(ALICE, "fd00::/8", READ, TOPIC, "orders"));

        assertThat(checkFrom(authorizer, "fd12:3456::1", READ).allowed()).isTrue();
        assertThat(checkFrom(authorizer, "fd12:3456:0:0:0:0:0:1", READ).allowed()).isTrue();
        assertThat(checkFrom(authorizer, "FD00:0:0:0:0:0:0:1%eth0", READ).allowed()).isTrue();
        assertThat(checkFrom(authorizer, "fe80::1", READ).allowed()).isFalse();
        assertThat(checkFrom(authorizer, "10.0.0.1", READ).allowed()).isFalse();

        AclAuthorizer loopback = authorizer(allowFrom(ALICE, "::1/128", READ, TOPIC, "orders"));
        assertThat(checkFrom(loopback, "0:0:0:0:0:0:0:1", READ).allowed()).isTrue();
        assertThat(checkFrom(loopback, "::1", READ).allowed()).isTrue();
        assertThat(checkFrom(loopback, "::2", READ).allowed()).isFalse();

        AclAuthorizer documentation = authorizer(allowFrom(ALICE, "2001:db8:abcd:12::/64", READ, TOPIC, "orders"));
        assertThat(checkFrom(documentation, "2001:db8:abcd:12:ffff:ffff:ffff:ffff", READ).allowed()).isTrue();
        assertThat(checkFrom(documentation, "2001:db8:abcd:13::", READ).allowed()).isFalse();

        AclAuthorizer mapped = authorizer(allowFrom(ALICE, "::ffff:10.0.0.0/104", READ, TOPIC, "orders"));
        assertThat(checkFrom(mapped, "::ffff:10.1.2.3", READ).allowed()).isTrue();
        assertThat(checkFrom(mapped, "::ffff:11.1.2.3", READ).allowed()).isFalse();
    }

    @Test
    void prefixedMatchesNamesStartingWithThePrefixAndLiteralOnlyTheName() {
        AclBinding prefixed = allowPrefixed(ALICE, READ, TOPIC, "orders");
        AclAuthorizer byPrefix = authorizer(prefixed);
        AclAuthorizer byLiteral = authorizer(allow(ALICE, READ, TOPIC, "orders"));

        assertThat(check(byPrefix, ALICE, READ, TOPIC, "orders").rule()).isEqualTo(prefixed);
        assertThat(check(byPrefix, ALICE, READ, TOPIC, "orders-eu").rule()).isEqualTo(prefixed);
        assertThat(check(byPrefix, ALICE, READ, TOPIC, "order").allowed()).isFalse();
        assertThat(check(byPrefix, ALICE, READ, TOPIC, "my-orders").allowed()).isFalse();
        assertThat(check(byLiteral, ALICE, READ, TOPIC, "orders").allowed()).isTrue();
        assertThat(check(byLiteral, ALICE, READ, TOPIC, "orders-eu").allowed()).isFalse();
    }

    @Test
    void starIsAWildcardOnlyAsALiteral() {
        AclAuthorizer literalStar = authorizer(allow(ALICE, READ, TOPIC, "*"));
        AclAuthorizer prefixedStar = authorizer(allowPrefixed(ALICE, READ, TOPIC, "*"));

        assertThat(check(literalStar, ALICE, READ, TOPIC, "anything").allowed()).isTrue();
        assertThat(check(literalStar, ALICE, READ, TOPIC, "*").allowed()).isTrue();
        assertThat(check(prefixedStar, ALICE, READ, TOPIC, "anything").allowed()).isFalse();
        assertThat(check(prefixedStar, ALICE, READ, TOPIC, "*-topic").allowed()).isTrue();
    }

    @Test
    void allowEveryoneIfNoAclFoundAppliesOnlyToResourcesWithoutAnyAcl() {
        AclAuthorizer none = allowEveryoneAuthorizer();
        assertThat(check(none, ALICE, WRITE, TOPIC, "orders")).isEqualTo(AuthorizationDecision.NO_ACL_FOUND_ALLOW_EVERYONE);

        AclAuthorizer otherPrincipal = allowEveryoneAuthorizer(allow(BOB, READ, TOPIC, "orders"));
        assertThat(check(otherPrincipal, ALICE, WRITE, TOPIC, "orders")).isEqualTo(AuthorizationDecision.NO_ALLOW_ACL);
        assertThat(check(otherPrincipal, ALICE, WRITE, TOPIC, "payments").reason())
            .isEqualTo(Reason.NO_ACL_FOUND_ALLOW_EVERYONE);

        AclAuthorizer otherHostAndOperation = allowEveryoneAuthorizer(allowFrom(ALICE, "10.9.9.9", CREATE, TOPIC, "orders"));
        assertThat(check(otherHostAndOperation, ALICE, READ, TOPIC, "orders").allowed()).isFalse();

        AclAuthorizer otherPrefix = allowEveryoneAuthorizer(allowPrefixed(BOB, READ, TOPIC, "ord"));
        assertThat(check(otherPrefix, ALICE, READ, TOPIC, "orders").allowed()).isFalse();
        assertThat(check(otherPrefix, ALICE, READ, TOPIC, "payments").allowed()).isTrue();

        AclAuthorizer otherWildcard = allowEveryoneAuthorizer(allow(BOB, READ, TOPIC, "*"));
        assertThat(check(otherWildcard, ALICE, READ, TOPIC, "payments").allowed()).isFalse();
        assertThat(check(otherWildcard, ALICE, READ, GROUP, "payments").allowed()).isTrue();

        AclAuthorizer ownDeny = allowEveryoneAuthorizer(deny(ALICE, READ, TOPIC, "orders"));
        assertThat(check(ownDeny, ALICE, READ, TOPIC, "orders").reason()).isEqualTo(Reason.DENIED_BY_ACL);
        assertThat(check(ownDeny, ALICE, WRITE, TOPIC, "orders").reason()).isEqualTo(Reason.NO_ALLOW_ACL);

        AclAuthorizer off = authorizer(allow(BOB, READ, TOPIC, "orders"));
        assertThat(check(off, ALICE, WRITE, TOPIC, "payments")).isEqualTo(AuthorizationDecision.NO_ALLOW_ACL);
    }

    @Test
    void resourceTypesDoNotMix() {
        AclAuthorizer authorizer = authorizer(
            allow(ALICE, READ, GROUP, "orders"),
            allow(ALICE, WRITE, TRANSACTIONAL_ID, "*"),
            allowPrefixed(ALICE, ALL, CLUSTER, "kafka"));

        assertThat(check(authorizer, ALICE, READ, GROUP, "orders").allowed()).isTrue();
        assertThat(check(authorizer, ALICE, READ, TOPIC, "orders").allowed()).isFalse();
        assertThat(check(authorizer, ALICE, WRITE, TRANSACTIONAL_ID, "tx-1").allowed()).isTrue();
        assertThat(check(authorizer, ALICE, WRITE, TOPIC, "tx-1").allowed()).isFalse();
        assertThat(check(authorizer, ALICE, ALTER, CLUSTER, "kafka-cluster").allowed()).isTrue();
        assertThat(check(authorizer, ALICE, ALTER, TOPIC, "kafka-cluster").allowed()).isFalse();
        assertThat(authorizer.hasAnyAcl(GROUP)).isTrue();
        assertThat(authorizer.hasAnyAcl(TOPIC)).isFalse();
    }

    @Test
    void manyPrincipalsOnOneResourceAreLookedUpByPrincipal() {
        List<AclBinding> bindings = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            bindings.add(allow("User:app-" + i, READ, TOPIC, "orders"));
            bindings.add(allowPrefixed("User:app-" + i, WRITE, TOPIC, "ord"));
        }
        AclBinding denied = deny("User:app-7", READ, TOPIC, "orders");
        bindings.add(denied);
        AclBinding everyone = allow("User:*", DESCRIBE, TOPIC, "orders");
        bindings.add(everyone);
        AclAuthorizer authorizer = authorizer(bindings.toArray(AclBinding[]::new));

        assertThat(check(authorizer, "User:app-3", READ, TOPIC, "orders").rule()).isEqualTo(bindings.get(6));
        assertThat(check(authorizer, "User:app-3", WRITE, TOPIC, "orders").rule()).isEqualTo(bindings.get(7));
        assertThat(check(authorizer, "User:app-7", READ, TOPIC, "orders").rule()).isEqualTo(denied);
        assertThat(check(authorizer, "User:app-50", READ, TOPIC, "orders").allowed()).isFalse();
        assertThat(check(authorizer, "User:app-50", DESCRIBE, TOPIC, "orders").rule()).isEqualTo(everyone);
        assertThat(authorizer.aclCount()).isEqualTo(102);
    }

    @Test
    void duplicateBindingsCountOnce() {
        AclBinding rule = allow(ALICE, READ, TOPIC, "orders");

        AclAuthorizer authorizer = authorizer(rule, rule);

        assertThat(authorizer.aclCount()).isEqualTo(1);
        assertThat(check(authorizer, ALICE, READ, TOPIC, "orders").rule()).isEqualTo(rule);
    }

    @Test
    void refusesFilterValuesInRequests() {
        AclAuthorizer authorizer = authorizer();

        assertThatThrownBy(() -> check(authorizer, ALICE, AclOperation.ANY, TOPIC, "orders"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ANY");
        assertThatThrownBy(() -> check(authorizer, ALICE, AclOperation.UNKNOWN, TOPIC, "orders"))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> check(authorizer, ALICE, READ, ResourceType.ANY, "orders"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ANY");
        assertThatThrownBy(() -> check(authorizer, ALICE, READ, ResourceType.UNKNOWN, "orders"))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decisionsWithoutARuleAreShared() {
        AclAuthorizer authorizer = authorizer(allow(BOB, READ, TOPIC, "orders"));

        assertThat(check(authorizer, ALICE, READ, TOPIC, "orders"))
            .isSameAs(check(authorizer, ALICE, WRITE, TOPIC, "orders"));
        assertThat(check(authorizer, BOB, READ, TOPIC, "orders"))
            .isSameAs(check(authorizer, BOB, DESCRIBE, TOPIC, "orders"));
    }

    @Test
    void alterConfigsDoesNotImplyAlterOrDescribe() {
        AclAuthorizer authorizer = authorizer(allow(ALICE, ALTER_CONFIGS, TOPIC, "orders"));

        assertThat(check(authorizer, ALICE, DESCRIBE_CONFIGS, TOPIC, "orders").allowed()).isTrue();
        assertThat(check(authorizer, ALICE, ALTER, TOPIC, "orders").allowed()).isFalse();
        assertThat(check(authorizer, ALICE, DESCRIBE, TOPIC, "orders").allowed()).isFalse();
        assertThat(check(authorizer, ALICE, DELETE, TOPIC, "orders").allowed()).isFalse();
    }
}
