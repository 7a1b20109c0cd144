package io.warden.authz;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.authz.AuthorizationDecision.Reason;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The indexed authorizer against a plain scan of the ACL list written from Kafka's rules, on
 * random small policies whose names, principals and hosts come from small sets so that
 * literals, prefixes, wildcards and CIDR blocks collide often.
 */
class AclAuthorizerPropertyTest {

    private static final List<AclOperation> OPERATIONS = List.of(AclOperation.values()).stream()
        .filter(op -> op != AclOperation.ANY && op != AclOperation.UNKNOWN)
        .toList();
    private static final List<ResourceType> TYPES = List.of(ResourceType.TOPIC, ResourceType.GROUP, ResourceType.CLUSTER);
    private static final List<String> ACL_HOSTS = List.of("*", "*", "*", "10.0.0.1", "10.0.0.2", "::1",
        "10.0.0.0/31", "10.0.0.0/8", "0.0.0.0/0", "::/0", "::1/128", "fd00::/8");
    private static final List<String> REQUEST_HOSTS = List.of("10.0.0.1", "10.0.0.2", "10.0.0.3", "11.0.0.1",
        "::1", "0:0:0:0:0:0:0:1", "fd00::5");

    record Request(String principal, String host, AclOperation operation, ResourceType type, String name) {
    }

    private record Expected(boolean allowed, Reason reason, Set<AclBinding> deciding) {
    }

    @Property(tries = 3000)
    void indexedAuthorizerAgreesWithAScan(@ForAll("policies") Policy policy, @ForAll("requests") List<Request> requests) {
        AclAuthorizer authorizer = new AclAuthorizer(policy);
        for (Request request : requests) {
            AuthorizationDecision actual = authorizer.authorize(
                request.principal(), request.host(), request.operation(), request.type(), request.name());
            Expected expected = reference(policy, request);
            assertThat(actual.allowed()).as("allowed for %s", request).isEqualTo(expected.allowed());
            assertThat(actual.reason()).as("reason for %s", request).isEqualTo(expected.reason());
            if (expected.deciding().isEmpty()) {
                assertThat(actual.rule()).as("rule for %s", request).isNull();
            } else {
                assertThat(expected.deciding()).as("rule for %s", request).contains(actual.rule());
            }
        }
    }

    @Property(tries = 2000)
    void authorizeByResourceTypeAgreesWithKafkasDefault(@ForAll("policies") Policy policy,
                                                       @ForAll("requests") List<Request> requests) {
        AclAuthorizer authorizer = new AclAuthorizer(policy);
        for (Request request : requests) {
            boolean actual = authorizer.authorizeByResourceType(
                request.principal(), request.host(), request.operation(), request.type());
            assertThat(actual).as("%s", request).isEqualTo(referenceByResourceType(policy, request));
        }
    }

    @Provide
    Arbitrary<Policy> policies() {
        Arbitrary<Set<String>> superUsers = Arbitraries.of(Set.<String>of(), Set.of("User:c"));
        Arbitrary<Boolean> allowEveryone = Arbitraries.of(true, false);
        Arbitrary<List<AclBinding>> bindings = bindings().list().ofMaxSize(60);
        return Combinators.combine(superUsers, allowEveryone, bindings).as(Policy::new);
    }

    @Provide
    Arbitrary<List<Request>> requests() {
        Arbitrary<String> principals = Arbitraries.of("User:a", "User:b", "User:c", "Group:a");
        Arbitrary<String> names = Arbitraries.frequencyOf(
            Tuple.of(12, Arbitraries.strings().withChars('a', 'b').ofMinLength(1).ofMaxLength(4)),
            Tuple.of(1, Arbitraries.just("*")));
        Arbitrary<AclOperation> operations = Arbitraries.of(OPERATIONS);
        Arbitrary<Request> request = Combinators.combine(principals, Arbitraries.of(REQUEST_HOSTS), operations,
            Arbitraries.of(TYPES), names).as(Request::new);
        return request.list().ofMinSize(1).ofMaxSize(40);
    }

    private static Arbitrary<AclBinding> bindings() {
        Arbitrary<String> names = Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.just("a")),
            Tuple.of(4, Arbitraries.just("ab")),
            Tuple.of(6, Arbitraries.strings().withChars('a', 'b').ofMinLength(1).ofMaxLength(3)),
            Tuple.of(2, Arbitraries.just("*")));
        Arbitrary<String> principals = Arbitraries.of("User:a", "User:a", "User:b", "User:c", "User:*", "Group:a");
        Arbitrary<AclPermissionType> permissions = Arbitraries.of(
            AclPermissionType.ALLOW, AclPermissionType.ALLOW, AclPermissionType.DENY);
        Arbitrary<AclOperation> operations = Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.of(OPERATIONS)),
            Tuple.of(2, Arbitraries.of(AclOperation.ALL, AclOperation.READ, AclOperation.DESCRIBE)));
        Arbitrary<ResourcePattern> patterns = Combinators.combine(Arbitraries.of(TYPES), names,
            Arbitraries.of(PatternType.LITERAL, PatternType.PREFIXED)).as(ResourcePattern::new);
        Arbitrary<AccessControlEntry> entries = Combinators.combine(principals, Arbitraries.of(ACL_HOSTS),
            operations, permissions).as(AccessControlEntry::new);
        return Combinators.combine(patterns, entries).as(AclBinding::new);
    }

    private static Expected reference(Policy policy, Request request) {
        if (policy.superUsers().contains(request.principal())) {
            return new Expected(true, Reason.SUPER_USER, Set.of());
        }
        boolean resourceHasAcls = false;
        Set<AclBinding> denies = new HashSet<>();
        Set<AclBinding> allows = new HashSet<>();
        for (AclBinding binding : policy.bindings()) {
            if (binding.pattern().resourceType() != request.type() || !nameMatches(binding.pattern(), request.name())) {
                continue;
            }
            resourceHasAcls = true;
            AccessControlEntry entry = binding.entry();
            boolean principalMatches = entry.principal().equals(request.principal()) || entry.principal().equals("User:*");
            if (principalMatches && hostMatches(entry.host(), request.host())
                && operationMatches(entry.operation(), entry.permissionType(), request.operation())) {
                (entry.permissionType() == AclPermissionType.DENY ? denies : allows).add(binding);
            }
        }
        if (!denies.isEmpty()) {
            return new Expected(false, Reason.DENIED_BY_ACL, denies);
        }
        if (!allows.isEmpty()) {
            return new Expected(true, Reason.ALLOWED_BY_ACL, allows);
        }
        if (!resourceHasAcls && policy.allowEveryoneIfNoAclFound()) {
            return new Expected(true, Reason.NO_ACL_FOUND_ALLOW_EVERYONE, Set.of());
        }
        return new Expected(false, Reason.NO_ALLOW_ACL, Set.of());
    }

    /** Kafka's default Authorizer#authorizeByResourceType, transcribed as a scan of all bindings. */
    private static boolean referenceByResourceType(Policy policy, Request request) {
        Request probe = new Request(request.principal(), request.host(), request.operation(), request.type(), "hardcode");
        if (reference(policy, probe).allowed()) {
            return true;
        }
        Map<PatternType, Set<String>> denyPatterns = new EnumMap<>(PatternType.class);
        Map<PatternType, Set<String>> allowPatterns = new EnumMap<>(PatternType.class);
        for (PatternType type : List.of(PatternType.LITERAL, PatternType.PREFIXED)) {
            denyPatterns.put(type, new HashSet<>());
            allowPatterns.put(type, new HashSet<>());
        }
        boolean hasWildcardAllow = false;
        for (AclBinding binding : policy.bindings()) {
            AccessControlEntry entry = binding.entry();
            if (binding.pattern().resourceType() != request.type()
                || !entry.host().equals(request.host()) && !hostMatches(entry.host(), request.host())
                || !entry.principal().equals(request.principal()) && !entry.principal().equals("User:*")
                || entry.operation() != request.operation() && entry.operation() != AclOperation.ALL) {
                continue;
            }
            PatternType patternType = binding.pattern().patternType();
            String name = binding.pattern().name();
            if (entry.permissionType() == AclPermissionType.DENY) {
                if (patternType == PatternType.LITERAL && name.equals("*")) {
                    return false;
                }
                denyPatterns.get(patternType).add(name);
            } else if (patternType == PatternType.LITERAL && name.equals("*")) {
                hasWildcardAllow = true;
            } else {
                allowPatterns.get(patternType).add(name);
            }
        }
        if (hasWildcardAllow) {
            return true;
        }
        for (Map.Entry<PatternType, Set<String>> allowed : allowPatterns.entrySet()) {
            for (String name : allowed.getValue()) {
                if (allowed.getKey() == PatternType.LITERAL && denyPatterns.get(PatternType.LITERAL).contains(name)) {
                    continue;
                }
                boolean dominated = false;
                for (int length = 1; length <= name.length() && !dominated; length++) {
                    dominated = denyPatterns.get(PatternType.PREFIXED).contains(name.substring(0, length));
                }
                if (!dominated) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean nameMatches(ResourcePattern pattern, String name) {
        return pattern.patternType() == PatternType.LITERAL
            ? pattern.name().equals(name) || pattern.name().equals("*")
            : name.startsWith(pattern.name());
    }

    private static boolean operationMatches(AclOperation acl, AclPermissionType permission, AclOperation requested) {
        if (acl == AclOperation.ALL) {
            return true;
        }
        if (permission == AclPermissionType.DENY) {
            return acl == requested;
        }
        switch (requested) {
            case DESCRIBE:
                return Set.of(AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE,
                    AclOperation.ALTER).contains(acl);
            case DESCRIBE_CONFIGS:
                return acl == AclOperation.DESCRIBE_CONFIGS || acl == AclOperation.ALTER_CONFIGS;
            default:
                return acl == requested;
        }
    }

    private static boolean hostMatches(String aclHost, String host) {
        if (aclHost.equals("*")) {
            return true;
        }
        int slash = aclHost.indexOf('/');
        if (slash < 0) {
            return aclHost.equals(host);
        }
        try {
            byte[] network = InetAddress.getByName(aclHost.substring(0, slash)).getAddress();
            byte[] address = InetAddress.getByName(host).getAddress();
            if (network.length != address.length) {
                return false;
            }
            int shift = network.length * 8 - Integer.parseInt(aclHost.substring(slash + 1));
            return new BigInteger(1, network).shiftRight(shift).equals(new BigInteger(1, address).shiftRight(shift));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
