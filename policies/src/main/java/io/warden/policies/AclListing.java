package io.warden.policies;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Bindings written out for people: grouped by resource exactly as {@code kafka-acls --list} prints them (so the
 * output can be compared with a live cluster's), and sorted, so that reordering a policy file changes nothing and
 * {@code diff} of two listings shows only what a change grants or takes away.
 */
final class AclListing {

    static final Comparator<ResourcePattern> BY_RESOURCE = Comparator
            .comparing((ResourcePattern p) -> p.resourceType().ordinal())
            .thenComparing(ResourcePattern::name)
            .thenComparing(p -> p.patternType().ordinal());
    private static final Comparator<AccessControlEntry> BY_ENTRY = Comparator
            .comparing(AccessControlEntry::principal)
            .thenComparing(AccessControlEntry::host)
            .thenComparing(e -> e.operation().ordinal())
            .thenComparing(e -> e.permissionType().ordinal());

    private AclListing() {
    }

    /** {@code kafka-acls --list} blocks: a header line per resource, a tab-indented line per entry, a blank line. */
    static List<String> lines(List<AclBinding> bindings) {
        Map<ResourcePattern, List<AccessControlEntry>> byResource = new TreeMap<>(BY_RESOURCE);
        for (AclBinding b : bindings) {
            byResource.computeIfAbsent(b.pattern(), p -> new ArrayList<>()).add(b.entry());
        }
        List<String> out = new ArrayList<>();
        byResource.forEach((pattern, entries) -> {
            out.add("Current ACLs for resource `" + pattern + "`:");
            entries.stream().sorted(BY_ENTRY).forEach(e -> out.add("\t" + e));
            out.add("");
        });
        return out;
    }

    /** One binding in words: {@code allow write on topics prefixed 'orders.' for User:alice from any host}. */
    static String describe(AclBinding b) {
        ResourcePattern p = b.pattern();
        AccessControlEntry e = b.entry();
        String type = p.resourceType().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        String resource = p.patternType() == PatternType.PREFIXED
                ? type + "s prefixed '" + p.name() + "'"
                : type + " '" + p.name() + "'";
        String host = e.host().equals(Hosts.ANY) ? "any host" : e.host();
        return e.permissionType().name().toLowerCase(Locale.ROOT) + " " + OperationNames.display(e.operation())
                + " on " + resource + " for " + e.principal() + " from " + host;
    }
}
