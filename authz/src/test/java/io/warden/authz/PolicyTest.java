package io.warden.authz;

import static io.warden.authz.Acls.acl;
import static io.warden.authz.Acls.allow;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclPermissionType.ALLOW;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyTest {

    private static Policy policyOf(AclBinding binding) {
        return new Policy(Set.of(), false, List.of(binding));
    }

    @Test
    void acceptsConcreteBindingsAndCopiesItsParts() {
        Set<String> superUsers = new HashSet<>(Set.of("User:admin"));
        List<AclBinding> bindings = new ArrayList<>(List.of(allow("User:alice", READ, TOPIC, "orders")));

        Policy policy = new Policy(superUsers, true, bindings);
        superUsers.add("User:mallory");
        bindings.clear();

        assertThat(policy.superUsers()).containsExactly("User:admin");
        assertThat(policy.bindings()).hasSize(1);
        assertThat(policy.allowEveryoneIfNoAclFound()).isTrue();
        assertThat(Policy.empty().bindings()).isEmpty();
        assertThat(Policy.empty().allowEveryoneIfNoAclFound()).isFalse();
    }

    @Test
    void refusesUnknownPatternType() {
        AclBinding binding = acl(TOPIC, "orders", PatternType.UNKNOWN, "User:alice", "*", READ, ALLOW);

        assertThatThrownBy(() -> policyOf(binding))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("bindings[0]")
            .hasMessageContaining("pattern type UNKNOWN")
            .hasMessageContaining("LITERAL or PREFIXED");
    }

    @Test
    void refusesUnknownResourceType() {
        AclBinding binding = acl(ResourceType.UNKNOWN, "orders", LITERAL, "User:alice", "*", READ, ALLOW);

        assertThatThrownBy(() -> policyOf(binding))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("resource type UNKNOWN");
    }

    @Test
    void refusesUnknownOperationAndPermission() {
        AclBinding operation = acl(TOPIC, "orders", LITERAL, "User:alice", "*", AclOperation.UNKNOWN, ALLOW);
        AclBinding permission = acl(TOPIC, "orders", LITERAL, "User:alice", "*", READ, AclPermissionType.UNKNOWN);

        assertThatThrownBy(() -> policyOf(operation))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("operation UNKNOWN");
        assertThatThrownBy(() -> policyOf(permission))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("permission type UNKNOWN");
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", ":alice", "User:", ""})
    void refusesPrincipalsNotOfTheFormTypeName(String principal) {
        AclBinding binding = acl(TOPIC, "orders", LITERAL, principal, "*", READ, ALLOW);

        assertThatThrownBy(() -> policyOf(binding))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Type:name");
        assertThatThrownBy(() -> new Policy(Set.of(principal), false, List.of()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("super user");
    }

    @Test
    void refusesAnEmptyResourceName() {
        AclBinding binding = acl(TOPIC, "", LITERAL, "User:alice", "*", READ, ALLOW);

        assertThatThrownBy(() -> policyOf(binding))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("resource name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.0/33", "10.0.0/8", "10.0.0.0/", "10.0.0.0/x", "fd00::/129",
        "fd00:::/8", "host.example/8", "fe80::1%eth0/64", "10.0.0.0/-1"})
    void refusesBadHosts(String host) {
        AclBinding binding = acl(TOPIC, "orders", LITERAL, "User:alice", host, READ, ALLOW);

        assertThatThrownBy(() -> policyOf(binding))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host");
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "10.0.0.1", "10.0.0.0/8", "0.0.0.0/0", "::1", "fd00::/8", "::/0", "::ffff:10.0.0.0/104"})
    void acceptsGoodHosts(String host) {
        AclBinding binding = acl(TOPIC, "orders", LITERAL, "User:alice", host, READ, ALLOW);

        assertThat(policyOf(binding).bindings()).containsExactly(binding);
    }

    @Test
    void refusesNulls() {
        List<AclBinding> withNull = new ArrayList<>();
        withNull.add(null);
        Set<String> superUsersWithNull = new HashSet<>();
        superUsersWithNull.add(null);

        assertThatThrownBy(() -> new Policy(null, false, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Policy(Set.of(), false, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Policy(Set.of(), false, withNull))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bindings[0] is null");
        assertThatThrownBy(() -> new Policy(superUsersWithNull, false, List.of()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("super user");
    }
}
