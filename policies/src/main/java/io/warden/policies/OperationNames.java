package io.warden.policies;

import org.apache.kafka.common.acl.AclOperation;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Operation names as people write them: Kafka's own spellings in any case ({@code DescribeConfigs} as kafka-acls
 * takes it, {@code DESCRIBE_CONFIGS} as the enum has it, {@code describe_configs} or {@code describe-configs}). The
 * filter-only values ANY and UNKNOWN are not operations one can grant.
 */
final class OperationNames {

    private static final List<AclOperation> GRANTABLE = Arrays.stream(AclOperation.values())
            .filter(op -> op != AclOperation.ANY && op != AclOperation.UNKNOWN)
            .toList();

    private OperationNames() {
    }

    static Optional<AclOperation> parse(String name) {
        String wanted = squash(name);
        return GRANTABLE.stream().filter(op -> squash(op.name()).equals(wanted)).findFirst();
    }

    /** The spelling used in policy files and messages: {@code describe_configs}. */
    static String display(AclOperation op) {
        return op.name().toLowerCase(Locale.ROOT);
    }

    static List<String> known() {
        return GRANTABLE.stream().map(OperationNames::display).toList();
    }

    /** Upper case without '_' and '-', so that every accepted spelling of a name compares equal. */
    static String squash(String name) {
        return name.replace("_", "").replace("-", "").toUpperCase(Locale.ROOT);
    }
}
