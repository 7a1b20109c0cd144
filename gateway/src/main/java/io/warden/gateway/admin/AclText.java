package io.warden.gateway.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

import java.util.List;
import java.util.Locale;

/**
 * ACL bindings in the admin API's JSON: {@code {principal, host, operation, permission, resourceType, resourceName,
 * patternType}}, with Kafka's enum names in any case ({@code write}, {@code WRITE}, {@code transactional_id}).
 */
final class AclText {

    private AclText() {
    }

    static JsonObject toJson(AclBinding b) {
        return new JsonObject()
                .put("principal", b.entry().principal())
                .put("host", b.entry().host())
                .put("operation", b.entry().operation().name())
                .put("permission", b.entry().permissionType().name())
                .put("resourceType", b.pattern().resourceType().name())
                .put("resourceName", b.pattern().name())
                .put("patternType", b.pattern().patternType().name());
    }

    static JsonArray toJson(List<AclBinding> bindings) {
        JsonArray out = new JsonArray();
        bindings.forEach(b -> out.add(toJson(b)));
        return out;
    }

    /** A binding to add; host defaults to "*", permission to ALLOW and pattern type to LITERAL, as in kafka-acls. */
    static AclBinding binding(JsonObject j) {
        return new AclBinding(
                new ResourcePattern(enumValue(ResourceType.class, j.getString("resourceType"), "resourceType"),
                        j.getString("resourceName"),
                        enumValue(PatternType.class, j.getString("patternType", "LITERAL"), "patternType")),
                new AccessControlEntry(j.getString("principal"), j.getString("host", "*"),
                        enumValue(AclOperation.class, j.getString("operation"), "operation"),
                        enumValue(AclPermissionType.class, j.getString("permission", "ALLOW"), "permission")));
    }

    /** A filter of bindings to remove or list: absent fields match anything, as in kafka-acls. */
    static AclBindingFilter filter(JsonObject j) {
        return new AclBindingFilter(
                new ResourcePatternFilter(enumValue(ResourceType.class, j.getString("resourceType", "ANY"), "resourceType"),
                        j.getString("resourceName"),
                        enumValue(PatternType.class, j.getString("patternType", "ANY"), "patternType")),
                new AccessControlEntryFilter(j.getString("principal"), j.getString("host"),
                        enumValue(AclOperation.class, j.getString("operation", "ANY"), "operation"),
                        enumValue(AclPermissionType.class, j.getString("permission", "ANY"), "permission")));
    }

    /** One line, as kafka-acls prints a binding. */
    static String describe(AclBinding b) {
        return b.entry().permissionType() + " " + b.entry().principal() + " " + b.entry().operation() + " "
                + b.pattern().resourceType().name().toLowerCase(Locale.ROOT) + ":" + b.pattern().name()
                + (b.pattern().patternType() == PatternType.PREFIXED ? "*" : "")
                + (b.entry().host().equals("*") ? "" : " from " + b.entry().host());
    }

    static <E extends Enum<E>> E enumValue(Class<E> type, String text, String field) {
        if (text == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        try {
            return Enum.valueOf(type, text.trim().replace('-', '_').toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": unknown value '" + text + "'");
        }
    }
}
