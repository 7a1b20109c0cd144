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
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.IDEMPOTENT_WRITE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.ResourceType.CLUSTER;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AuthorizeByResourceTypeTest {

    private static final String ALICE = "User:alice";
    private static final String BOB = "User:bob";
    private static final String HOST = "10.0.0.1";

    private static boolean mayWriteSomeTopic(AclAuthorizer authorizer) {
        return authorizer.authorizeByResourceType(ALICE, HOST, WRITE, TOPIC);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
            Arguments.of("no ACLs", List.of(), false),
            Arguments.of("a literal allow", List.of(allow(ALICE, WRITE, TOPIC, "t1")), true),
            Arguments.of("a prefixed allow", List.of(allowPrefixed(ALICE, WRITE, TOPIC, "t")), true),
            Arguments.of("allow ALL", List.of(allow(ALICE, ALL, TOPIC, "t1")), true),
            Arguments.of("a User:* allow", List.of(allow("User:*", WRITE, TOPIC, "t1")), true),
            Arguments.of("another principal's allow", List.of(allow(BOB, WRITE, TOPIC, "t1")), false),
            Arguments.of("an allow for another operation", List.of(allow(ALICE, READ, TOPIC, "t1")), false),
            Arguments.of("an allow on another resource type", List.of(allow(ALICE, WRITE, GROUP, "t1")), false),
            Arguments.of("an allow from another host", List.of(allowFrom(ALICE, "10.0.0.2", WRITE, TOPIC, "t1")), false),
            Arguments.of("an allow from a CIDR block holding the host",
                List.of(allowFrom(ALICE, "10.0.0.0/8", WRITE, TOPIC, "t1")), true),
            Arguments.of("literal allow, literal deny of the same name",
                List.of(allow(ALICE, WRITE, TOPIC, "t1"), deny(ALICE, WRITE, TOPIC, "t1")), false),
            Arguments.of("literal allow, literal deny of another name",
                List.of(allow(ALICE, WRITE, TOPIC, "t1"), deny(ALICE, WRITE, TOPIC, "t2")), true),
            Arguments.of("literal allow, prefixed deny of a prefix of it",
                List.of(allow(ALICE, WRITE, TOPIC, "foo-1"), denyPrefixed(ALICE, WRITE, TOPIC, "foo")), false),
            Arguments.of("literal allow, prefixed deny of the whole name",
                List.of(allow(ALICE, WRITE, TOPIC, "foo"), denyPrefixed(ALICE, WRITE, TOPIC, "foo")), false),
            Arguments.of("prefixed allow, literal deny of the same name",
                List.of(allowPrefixed(ALICE, WRITE, TOPIC, "foo"), deny(ALICE, WRITE, TOPIC, "foo")), true),
            Arguments.of("prefixed allow, shorter prefixed deny",
                List.of(allowPrefixed(ALICE, WRITE, TOPIC, "foo-bar"), denyPrefixed(ALICE, WRITE, TOPIC, "foo")), false),
            Arguments.of("prefixed allow, longer prefixed deny",
                List.of(allowPrefixed(ALICE, WRITE, TOPIC, "foo"), denyPrefixed(ALICE, WRITE, TOPIC, "foo-bar")), true),
            Arguments.of("two allows, one denied",
                List.of(allow(ALICE, WRITE, TOPIC, "t1"), allow(ALICE, WRITE, TOPIC, "t2"), deny(ALICE, WRITE, TOPIC, "t1")), true),
            Arguments.of("a wildcard allow over a literal deny",
                List.of(allow(ALICE, WRITE, TOPIC, "*"), deny(ALICE, WRITE, TOPIC, "t1")), true),
            Arguments.of("a wildcard deny",
                List.of(allow(ALICE, WRITE, TOPIC, "t1"), deny(ALICE, WRITE, TOPIC, "*")), false),
            Arguments.of("a wildcard deny over a wildcard allow",
                List.of(allow(ALICE, WRITE, TOPIC, "*"), deny("User:*", WRITE, TOPIC, "*")), false),
            Arguments.of("a deny ALL on the allowed name",
                List.of(allow(ALICE, WRITE, TOPIC, "t1"), deny(ALICE, ALL, TOPIC, "t1")), false),
            Arguments.of("a User:* deny on the allowed name",
                List.of(allow(ALICE, WRITE, TOPIC, "t1"), deny("User:*", WRITE, TOPIC, "t1")), false),
            Arguments.of("another principal's deny",
                List.of(allow(ALICE, WRITE, TOPIC, "t1"), deny(BOB, WRITE, TOPIC, "t1")), true),
            Arguments.of("a deny from another host",
                List.of(allow(ALICE, WRITE, TOPIC, "t1"), denyFrom(ALICE, "10.0.0.2", WRITE, TOPIC, "t1")), true),
            Arguments.of("a deny of another operation",
                List.of(allow(ALICE, WRITE, TOPIC, "t1"), deny(ALICE, READ, TOPIC, "t1")), true),
            Arguments.of("an allow on the probe name itself", List.of(allow(ALICE, WRITE, TOPIC, "hardcode")), true));
    }

    @ParameterizedTest(name = "{0} ⇒ {2}")
    @MethodSource("cases")
    void writeOnSomeTopic(String description, List<AclBinding> bindings, boolean expected) {
        assertThat(mayWriteSomeTopic(authorizer(bindings.toArray(AclBinding[]::new)))).isEqualTo(expected);
    }

    @Test
    void impliedOperationsDoNotCount() {
        AclAuthorizer authorizer = authorizer(allow(ALICE, READ, TOPIC, "t1"));

        assertThat(authorizer.authorize(ALICE, HOST, DESCRIBE, TOPIC, "t1").allowed()).isTrue();
        assertThat(authorizer.authorizeByResourceType(ALICE, HOST, DESCRIBE, TOPIC)).isFalse();
        assertThat(authorizer.authorizeByResourceType(ALICE, HOST, READ, TOPIC)).isTrue();
    }

    @Test
    void superUsersAreAllowedDespiteDenies() {
        AclAuthorizer authorizer = new AclAuthorizer(new Policy(Set.of(ALICE), false,
            List.of(deny(ALICE, ALL, TOPIC, "*"))));

        assertThat(mayWriteSomeTopic(authorizer)).isTrue();
        assertThat(authorizer.authorizeByResourceType(BOB, HOST, WRITE, TOPIC)).isFalse();
    }

    @Test
    void allowEveryoneIfNoAclFoundAppliesThroughTheProbeName() {
        assertThat(mayWriteSomeTopic(allowEveryoneAuthorizer())).isTrue();
        assertThat(mayWriteSomeTopic(allowEveryoneAuthorizer(allow(BOB, WRITE, TOPIC, "t1")))).isTrue();
        assertThat(mayWriteSomeTopic(allowEveryoneAuthorizer(allow(BOB, WRITE, TOPIC, "*")))).isFalse();
        assertThat(mayWriteSomeTopic(allowEveryoneAuthorizer(allowPrefixed(BOB, READ, TOPIC, "hard")))).isFalse();
        assertThat(mayWriteSomeTopic(allowEveryoneAuthorizer(deny(ALICE, WRITE, TOPIC, "hardcode")))).isFalse();
    }

    @Test
    void idempotentWriteFallsBackToWriteOnAnyTopic() {
        AclAuthorizer authorizer = authorizer(allowPrefixed(ALICE, WRITE, TOPIC, "events-"));

        assertThat(authorizer.authorize(ALICE, HOST, IDEMPOTENT_WRITE, CLUSTER, "kafka-cluster").allowed()).isFalse();
        assertThat(authorizer.authorizeByResourceType(ALICE, HOST, WRITE, TOPIC)).isTrue();
        assertThat(authorizer.authorizeByResourceType(BOB, HOST, WRITE, TOPIC)).isFalse();
    }

    @Test
    void refusesFilterValues() {
        AclAuthorizer authorizer = authorizer();

        assertThatThrownBy(() -> authorizer.authorizeByResourceType(ALICE, HOST, AclOperation.ANY, TOPIC))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> authorizer.authorizeByResourceType(ALICE, HOST, WRITE, ResourceType.ANY))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> authorizer.authorizeByResourceType(ALICE, HOST, WRITE, ResourceType.UNKNOWN))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
