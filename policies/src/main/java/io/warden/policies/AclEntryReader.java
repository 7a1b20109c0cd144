package io.warden.policies;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads one entry of {@code acls} and expands it into Kafka ACL bindings: every principal × host × operation ×
 * resource it names. Each check fails at the value it is about, so a message points at the word to fix.
 */
final class AclEntryReader {

    static final List<String> KEYS = List.of(
            "principal", "principals", "host", "hosts", "permission", "operation", "operations",
            "topic", "topics", "group", "groups", "transactionalId", "transactionalIds", "cluster",
            "delegationToken", "delegationTokens", "user", "users", "resource", "resources");

    private static final String PREFIX = "prefix";
    private static final List<String> RESOURCE_KEYS = List.of("type", "name", "patternType");

    private record Located<T>(T value, PolicyNode node) {
    }

    private record Resource(ResourceKind kind, ResourcePattern pattern) {
    }

    private AclEntryReader() {
    }

    static List<AclBinding> read(PolicyNode entry) {
        Map<String, PolicyNode> f = entry.fields(
                "an ACL entry with principal, operations and a resource such as topics", KEYS);
        List<Located<String>> principals = oneOrMany(entry, f, "principal", "principals", "principal",
                "User:alice", AclEntryReader::principal);
        List<Located<String>> hosts = f.containsKey("host") || f.containsKey("hosts")
                ? oneOrMany(entry, f, "host", "hosts", "host", "10.1.2.3", AclEntryReader::host)
                : List.of(new Located<>(Hosts.ANY, entry));
        AclPermissionType permission = f.containsKey("permission") ? permission(f.get("permission"))
                : AclPermissionType.ALLOW;
        List<Located<AclOperation>> operations = oneOrMany(entry, f, "operation", "operations", "operation",
                "read", AclEntryReader::operation);
        List<Resource> resources = resources(entry, f);

        for (Located<AclOperation> op : operations) {
            for (Resource r : resources) {
                if (!r.kind().supports(op.value())) {
                    throw op.node().fail("operation '" + OperationNames.display(op.value()) + "' does not apply to "
                            + r.kind().label() + "; valid for " + r.kind().label() + ": " + r.kind().operationNames());
                }
            }
        }
        long expanded = (long) resources.size() * principals.size() * hosts.size() * operations.size();
        if (expanded > PolicyParser.MAX_BINDINGS) {
            throw entry.fail("this entry expands to " + expanded + " ACL bindings (" + principals.size() + " principals x "
                    + hosts.size() + " hosts x " + operations.size() + " operations x " + resources.size()
                    + " resources), more than the " + PolicyParser.MAX_BINDINGS + " a policy may have");
        }
        List<AclBinding> out = new ArrayList<>();
        for (Resource r : resources) {
            for (Located<String> principal : principals) {
                for (Located<String> host : hosts) {
                    for (Located<AclOperation> op : operations) {
                        out.add(new AclBinding(r.pattern(),
                                new AccessControlEntry(principal.value(), host.value(), op.value(), permission)));
                    }
                }
            }
        }
        return out;
    }

    /** A principal in {@code superUsers} or an entry; see {@link Principals}. */
    static String principal(PolicyNode n) {
        String p = n.text("a principal such as User:alice");
        String problem = Principals.problem(p);
        if (problem != null) {
            throw n.fail(problem);
        }
        return p;
    }

    private static String host(PolicyNode n) {
        try {
            return Hosts.canonical(n.text("\"*\", an IP address or a CIDR block"));
        } catch (IllegalArgumentException e) {
            throw n.fail(e.getMessage());
        }
    }

    private static AclOperation operation(PolicyNode n) {
        String name = n.text("an operation such as read");
        return OperationNames.parse(name).orElseThrow(() -> n.fail("unknown operation '" + name + "'"
                + NearestName.hint(name, OperationNames.known()) + "; expected one of " + OperationNames.known()));
    }

    private static AclPermissionType permission(PolicyNode n) {
        String v = n.text("allow or deny");
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "allow" -> AclPermissionType.ALLOW;
            case "deny" -> AclPermissionType.DENY;
            default -> throw n.fail("expected allow or deny, found '" + v + "'");
        };
    }

    /**
     * The values of a key that has a one-value form ({@code principal: User:alice}) and a list form
     * ({@code principals: [User:alice, User:bob]}); exactly one of the two must be given.
     */
    private static <T> List<Located<T>> oneOrMany(PolicyNode entry, Map<String, PolicyNode> f, String one,
                                                  String many, String what, String example,
                                                  Function<PolicyNode, T> read) {
        PolicyNode single = f.get(one);
        PolicyNode list = f.get(many);
        if (single != null && list != null) {
            throw list.fail("give either " + one + " or " + many + ", not both");
        }
        if (single == null && list == null) {
            throw entry.fail("missing " + one + " (or " + many + ")");
        }
        if (single != null) {
            if (single.isList()) {
                throw single.fail("expected one " + what + ", found a list; for several write " + many + ": [...]");
            }
            return List.of(new Located<>(read.apply(single), single));
        }
        if (list.isText()) {
            throw list.fail("expected a list such as [" + example + "]; for one " + what + " write " + one + ": "
                    + list.text(what));
        }
        List<Located<T>> out = new ArrayList<>();
        for (PolicyNode item : list.nonEmptyItems("a list of " + many)) {
            out.add(new Located<>(read.apply(item), item));
        }
        return out;
    }

    private static List<Resource> resources(PolicyNode entry, Map<String, PolicyNode> f) {
        List<Resource> out = new ArrayList<>();
        for (Map.Entry<String, PolicyNode> e : f.entrySet()) {
            String key = e.getKey();
            PolicyNode value = e.getValue();
            if (key.equals("resource")) {
                exclusive(f, "resource", "resources");
                out.add(explicit(value));
            } else if (key.equals("resources")) {
                exclusive(f, "resource", "resources");
                value.nonEmptyItems("a list of resources, each {type: ..., name: ...}")
                        .forEach(item -> out.add(explicit(item)));
            } else if (key.equals("cluster")) {
                if (!value.bool()) {
                    throw value.fail("only 'cluster: true' means something; leave the key out otherwise");
                }
                out.add(resource(ResourceKind.CLUSTER, ResourceKind.CLUSTER_NAME, PatternType.LITERAL, value));
            } else {
                for (ResourceKind kind : ResourceKind.values()) {
                    if (key.equals(kind.singularKey()) || key.equals(kind.pluralKey())) {
                        exclusive(f, kind.singularKey(), kind.pluralKey());
                        out.addAll(shorthand(kind, key.equals(kind.pluralKey()), value));
                    }
                }
            }
        }
        if (out.isEmpty()) {
            throw entry.fail("no resource; add topics, groups, transactionalIds, cluster: true, delegationTokens,"
                    + " users or resources");
        }
        return out;
    }

    private static void exclusive(Map<String, PolicyNode> f, String one, String many) {
        if (f.containsKey(one) && f.containsKey(many)) {
            throw f.get(many).fail("give either " + one + " or " + many + ", not both");
        }
    }

    /** {@code topic: orders}, {@code topic: {prefix: orders.}}, {@code topics: [a, {prefix: b.}]}, {@code topics: {prefix: b.}}. */
    private static List<Resource> shorthand(ResourceKind kind, boolean plural, PolicyNode value) {
        if (!plural) {
            if (value.isList()) {
                throw value.fail("expected one name, found a list; for several write " + kind.pluralKey() + ": [...]");
            }
            return List.of(name(kind, value));
        }
        if (value.isMapping()) {
            return List.of(name(kind, value));
        }
        if (value.isText()) {
            String name = value.text("a name");
            throw value.fail("expected a list such as [" + name + "] or {prefix: " + name + "}; for one name write "
                    + kind.singularKey() + ": " + name);
        }
        return value.nonEmptyItems("a list of names, or {prefix: NAME}").stream().map(n -> name(kind, n)).toList();
    }

    /** A literal name, or {@code {prefix: NAME}}. */
    private static Resource name(ResourceKind kind, PolicyNode n) {
        if (n.isMapping()) {
            PolicyNode prefix = n.fields("{prefix: NAME}", List.of(PREFIX)).get(PREFIX);
            if (prefix == null) {
                throw n.fail("expected {prefix: NAME}");
            }
            return resource(kind, prefix.text("a prefix"), PatternType.PREFIXED, prefix);
        }
        return resource(kind, n.text("a name or {prefix: NAME}"), PatternType.LITERAL, n);
    }

    /** {@code resource: {type: topic, name: orders., patternType: prefixed}}, as Kafka's ResourcePattern. */
    private static Resource explicit(PolicyNode n) {
        Map<String, PolicyNode> f = n.fields("a resource {type: ..., name: ..., patternType: ...}", RESOURCE_KEYS);
        PolicyNode typeNode = f.get("type");
        if (typeNode == null) {
            throw n.fail("missing type; expected one of " + ResourceKind.typeNames());
        }
        String typeName = typeNode.text("a resource type");
        ResourceKind kind = ResourceKind.ofTypeName(typeName).orElseThrow(() -> typeNode.fail("unknown resource type '"
                + typeName + "'" + NearestName.hint(typeName, ResourceKind.typeNames()) + "; expected one of "
                + ResourceKind.typeNames()));
        PatternType pattern = f.containsKey("patternType") ? patternType(f.get("patternType")) : PatternType.LITERAL;
        PolicyNode nameNode = f.get("name");
        if (nameNode == null && kind != ResourceKind.CLUSTER) {
            throw n.fail("missing name");
        }
        String name = nameNode == null ? ResourceKind.CLUSTER_NAME : nameNode.text("a name");
        return resource(kind, name, pattern, nameNode == null ? n : nameNode);
    }

    private static PatternType patternType(PolicyNode n) {
        String v = n.text("literal or prefixed");
        return switch (v.toUpperCase(Locale.ROOT)) {
            case "LITERAL" -> PatternType.LITERAL;
            case "PREFIXED" -> PatternType.PREFIXED;
            case "MATCH", "ANY" -> throw n.fail("'" + v + "' selects ACLs in kafka-acls --list and --remove; an ACL"
                    + " itself is literal or prefixed");
            default -> throw n.fail("expected literal or prefixed, found '" + v + "'");
        };
    }

    private static Resource resource(ResourceKind kind, String name, PatternType pattern, PolicyNode at) {
        String problem = kind.nameProblem(name, pattern);
        if (problem != null) {
            throw at.fail(problem);
        }
        return new Resource(kind, new ResourcePattern(kind.type(), name, pattern));
    }
}
