package io.warden.policies;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static org.apache.kafka.common.acl.AclOperation.ALL;
import static org.apache.kafka.common.acl.AclOperation.ALTER;
import static org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.CLUSTER_ACTION;
import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.CREATE_TOKENS;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_TOKENS;
import static org.apache.kafka.common.acl.AclOperation.IDEMPOTENT_WRITE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.TWO_PHASE_COMMIT;
import static org.apache.kafka.common.acl.AclOperation.WRITE;

/**
 * The Kafka resource types an ACL can name, with the keys that name them in a policy file and the operations that
 * mean something for them. The operation table is Kafka 4.1's {@code AclEntry.supportedOperations} plus ALL, the
 * same check kafka-acls makes; granting, say, WRITE on a group would be accepted by a broker and never used.
 */
enum ResourceKind {

    TOPIC(ResourceType.TOPIC, "topic", "topics", "topics",
            EnumSet.of(ALL, READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS)),
    GROUP(ResourceType.GROUP, "group", "groups", "groups",
            EnumSet.of(ALL, READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS)),
    CLUSTER(ResourceType.CLUSTER, "cluster", null, "the cluster",
            EnumSet.of(ALL, CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE)),
    TRANSACTIONAL_ID(ResourceType.TRANSACTIONAL_ID, "transactionalId", "transactionalIds", "transactional ids",
            EnumSet.of(ALL, WRITE, DESCRIBE, TWO_PHASE_COMMIT)),
    DELEGATION_TOKEN(ResourceType.DELEGATION_TOKEN, "delegationToken", "delegationTokens", "delegation tokens",
            EnumSet.of(ALL, DESCRIBE)),
    USER(ResourceType.USER, "user", "users", "users",
            EnumSet.of(ALL, CREATE_TOKENS, DESCRIBE_TOKENS));

    /** The one name of the cluster resource, as Kafka and kafka-acls use it. */
    static final String CLUSTER_NAME = "kafka-cluster";
    static final String WILDCARD = "*";

    private static final Pattern TOPIC_CHARS = Pattern.compile("[a-zA-Z0-9._-]+");
    private static final int MAX_TOPIC_LENGTH = 249;

    private final ResourceType type;
    private final String singularKey;
    private final String pluralKey;
    private final String label;
    private final Set<AclOperation> operations;

    ResourceKind(ResourceType type, String singularKey, String pluralKey, String label, Set<AclOperation> operations) {
        this.type = type;
        this.singularKey = singularKey;
        this.pluralKey = pluralKey;
        this.label = label;
        this.operations = operations;
    }

    ResourceType type() {
        return type;
    }

    /** {@code topic}; for the cluster, {@code cluster}. */
    String singularKey() {
        return singularKey;
    }

    /** {@code topics}; null for the cluster, of which there is one. */
    String pluralKey() {
        return pluralKey;
    }

    /** How messages refer to resources of this kind: "topics", "the cluster". */
    String label() {
        return label;
    }

    boolean supports(AclOperation op) {
        return operations.contains(op);
    }

    Set<AclOperation> operations() {
        return operations;
    }

    List<String> operationNames() {
        return operations.stream().map(OperationNames::display).toList();
    }

    /** The resource type in a policy file's explicit form: {@code transactional_id}. */
    String typeName() {
        return type.name().toLowerCase(Locale.ROOT);
    }

    static Optional<ResourceKind> ofTypeName(String name) {
        String wanted = OperationNames.squash(name);
        for (ResourceKind kind : values()) {
            if (OperationNames.squash(kind.type.name()).equals(wanted)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /** The kind of a Kafka resource type; empty for the filter-only types ANY and UNKNOWN. */
    static Optional<ResourceKind> of(ResourceType type) {
        return Arrays.stream(values()).filter(kind -> kind.type == type).findFirst();
    }

    static List<String> typeNames() {
        return Arrays.stream(values()).map(ResourceKind::typeName).toList();
    }

    /** Why a resource of this kind can never be matched by that name and pattern, or null when it is fine. */
    String nameProblem(String name, PatternType pattern) {
        if (name.isEmpty()) {
            return "empty name";
        }
        if (!name.strip().equals(name)) {
            return "'" + name + "' has spaces at the start or end";
        }
        boolean prefixed = pattern == PatternType.PREFIXED;
        if (this == CLUSTER) {
            if (prefixed || !name.equals(CLUSTER_NAME)) {
                return "the cluster resource is the literal name '" + CLUSTER_NAME + "'";
            }
            return null;
        }
        if (name.contains(WILDCARD)) {
            return wildcardProblem(name, prefixed);
        }
        if (this == TOPIC) {
            return topicNameProblem(name, prefixed);
        }
        if (this == USER && !name.startsWith(Principals.USER_PREFIX)) {
            return "'" + name + "' is not a user principal; user resources are named like User:alice";
        }
        return null;
    }

    private String wildcardProblem(String name, boolean prefixed) {
        if (!prefixed && name.equals(WILDCARD)) {
            return null;
        }
        if (name.equals(WILDCARD)) {
            return "a prefix of '*' matches only names that start with '*'; for all " + label + " write [\"*\"]";
        }
        String stem = name.substring(0, name.indexOf(WILDCARD));
        String suggestion = stem.isEmpty() ? "[\"*\"] for all " + label : "{prefix: " + stem + "}";
        return "'" + name + "' is not a pattern: names are literal, and only a lone \"*\" matches every name; write "
                + suggestion;
    }

    private static String topicNameProblem(String name, boolean prefixed) {
        if (!TOPIC_CHARS.matcher(name).matches()) {
            return "'" + name + "' is not a valid topic name: topic names use only letters, digits, '.', '_' and '-'";
        }
        if (name.length() > MAX_TOPIC_LENGTH) {
            return "topic names are at most " + MAX_TOPIC_LENGTH + " characters; this one has " + name.length();
        }
        if (!prefixed && (name.equals(".") || name.equals(".."))) {
            return "'" + name + "' is not a valid topic name";
        }
        return null;
    }
}
