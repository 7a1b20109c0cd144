package io.warden.policies;

import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Writes a {@link PolicyDocument} as policy YAML that {@link PolicyParser} reads back to the same rules: what the
 * policy stores write when a change arrives as a document rather than as text (an admin API call, a conversion).
 *
 * <p>The output is canonical: the same rules give the same text, whatever the order of the document's bindings, so
 * two versions can be compared with {@code diff}. Bindings are gathered into as few entries as stay exact: the
 * operations one principal has on one resource (from one host, allowed or denied) are one list; resources with the
 * same list of operations share an entry; principals with identical entries share one too. Entries are sorted by
 * principal, host, permission (allow first) and resource. {@code host} is written only when it is not {@code "*"},
 * {@code permission} only for {@code deny}. Names that YAML would read differently, or that are hard to read plain
 * ({@code User:CN=app,OU=team}, {@code "*"}, names with {@code #}, spaces or non-ASCII letters), are double-quoted,
 * with control characters escaped.
 *
 * <pre>
 * superUsers: [User:admin]
 * allowEveryoneIfNoAclFound: false
 * acls:
 *   - principal: User:alice
 *     operations: [write, create, describe]
 *     topic: {prefix: orders.}
 *   - principal: User:bob
 *     operations: [read]
 *     topic: {prefix: orders.}
 *     group: billing
 * </pre>
 *
 * <p>Writing does not check the rules: a document that the parser would refuse (an operation that does not apply to
 * a resource type, a principal that is not {@code User:...}) is written as it is, and parsing the text then fails
 * with the parser's message. Resource types, pattern types, operations and permissions that exist only in Kafka's
 * ACL filters ({@code ANY}, {@code MATCH}, {@code UNKNOWN}) cannot be written and throw
 * {@link IllegalArgumentException}. Stateless and thread-safe.
 */
public final class PolicyWriter {

    /** Lists longer than this (with their key and indentation) are written one item per line. */
    private static final int LINE_WIDTH = 100;
    private static final String ENTRY_INDENT = "    ";

    /** Plain (unquoted) only when YAML cannot read the text as anything else, in a block or in a [...] or {...}. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.:/=@+*-]*");
    private static final Set<String> NULL_WORDS = Set.of("null", "Null", "NULL");

    private static final Comparator<Map.Entry<Entry, TreeSet<String>>> ENTRY_ORDER = Comparator
            .comparing((Map.Entry<Entry, TreeSet<String>> e) -> List.copyOf(e.getValue()),
                    lexicographic(Comparator.<String>naturalOrder()))
            .thenComparing(e -> e.getKey().host())
            .thenComparing(e -> e.getKey().permission() == AclPermissionType.ALLOW ? 0 : 1)
            .thenComparing(e -> e.getKey().resources(), lexicographic(AclListing.BY_RESOURCE))
            .thenComparing(e -> e.getKey().operations(), lexicographic(Comparator.<AclOperation>naturalOrder()));

    /** One principal's operations on one resource, from one host, allowed or denied. */
    private record Grant(String principal, String host, AclPermissionType permission, ResourcePattern resource) {
    }

    /** One principal's resources that have the same list of operations. */
    private record Rule(String principal, String host, AclPermissionType permission, List<AclOperation> operations) {
    }

    /** An entry of the file, less its principals. */
    private record Entry(String host, AclPermissionType permission, List<AclOperation> operations,
                         List<ResourcePattern> resources) {
    }

    private PolicyWriter() {
    }

    /** The document as policy YAML; see the class comment for the form. */
    public static String toYaml(PolicyDocument document) {
        StringBuilder out = new StringBuilder();
        out.append(list("superUsers", new TreeSet<>(document.superUsers()).stream().map(PolicyWriter::scalar).toList(),
                ""));
        out.append("allowEveryoneIfNoAclFound: ").append(document.allowEveryoneIfNoAclFound()).append('\n');
        Map<Entry, TreeSet<String>> entries = entries(document.bindings());
        if (entries.isEmpty()) {
            return out.append("acls: []\n").toString();
        }
        out.append("acls:\n");
        List<Map.Entry<Entry, TreeSet<String>>> sorted = new ArrayList<>(entries.entrySet());
        sorted.sort(ENTRY_ORDER);
        for (Map.Entry<Entry, TreeSet<String>> e : sorted) {
            writeEntry(out, e.getValue(), e.getKey());
        }
        return out.toString();
    }

    /** The bindings gathered into entries, each with its principals; every binding is in exactly one entry. */
    private static Map<Entry, TreeSet<String>> entries(List<AclBinding> bindings) {
        Map<Grant, TreeSet<AclOperation>> operations = new LinkedHashMap<>();
        for (AclBinding b : bindings) {
            checkWritable(b);
            Grant grant = new Grant(b.entry().principal(), b.entry().host(), b.entry().permissionType(), b.pattern());
            operations.computeIfAbsent(grant, g -> new TreeSet<>()).add(b.entry().operation());
        }
        Map<Rule, TreeSet<ResourcePattern>> resources = new LinkedHashMap<>();
        operations.forEach((g, ops) -> resources.computeIfAbsent(
                new Rule(g.principal(), g.host(), g.permission(), List.copyOf(ops)),
                r -> new TreeSet<>(AclListing.BY_RESOURCE)).add(g.resource()));
        Map<Entry, TreeSet<String>> entries = new LinkedHashMap<>();
        resources.forEach((r, patterns) -> entries.computeIfAbsent(
                new Entry(r.host(), r.permission(), r.operations(), List.copyOf(patterns)),
                e -> new TreeSet<>()).add(r.principal()));
        return entries;
    }

    private static void checkWritable(AclBinding b) {
        ResourcePattern p = b.pattern();
        if (ResourceKind.of(p.resourceType()).isEmpty()) {
            throw new IllegalArgumentException("resource type " + p.resourceType() + " has no form in a policy: " + b);
        }
        if (p.patternType() != PatternType.LITERAL && p.patternType() != PatternType.PREFIXED) {
            throw new IllegalArgumentException("pattern type " + p.patternType() + " has no form in a policy: " + b);
        }
        AclOperation op = b.entry().operation();
        if (op == AclOperation.ANY || op == AclOperation.UNKNOWN) {
            throw new IllegalArgumentException("operation " + op + " has no form in a policy: " + b);
        }
        AclPermissionType permission = b.entry().permissionType();
        if (permission != AclPermissionType.ALLOW && permission != AclPermissionType.DENY) {
            throw new IllegalArgumentException("permission " + permission + " has no form in a policy: " + b);
        }
    }

    private static void writeEntry(StringBuilder out, TreeSet<String> principals, Entry entry) {
        StringBuilder e = new StringBuilder();
        if (principals.size() == 1) {
            e.append(ENTRY_INDENT).append("principal: ").append(scalar(principals.first())).append('\n');
        } else {
            e.append(list("principals", principals.stream().map(PolicyWriter::scalar).toList(), ENTRY_INDENT));
        }
        if (!entry.host().equals(Hosts.ANY)) {
            e.append(ENTRY_INDENT).append("host: ").append(scalar(entry.host())).append('\n');
        }
        if (entry.permission() == AclPermissionType.DENY) {
            e.append(ENTRY_INDENT).append("permission: deny\n");
        }
        e.append(list("operations", entry.operations().stream().map(OperationNames::display).toList(), ENTRY_INDENT));
        Map<ResourceKind, List<String>> byKind = new TreeMap<>();
        for (ResourcePattern p : entry.resources()) {
            ResourceKind kind = ResourceKind.of(p.resourceType()).orElseThrow();
            byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(name(p));
        }
        byKind.forEach((kind, names) -> {
            if (kind == ResourceKind.CLUSTER && names.equals(List.of(ResourceKind.CLUSTER_NAME))) {
                e.append(ENTRY_INDENT).append("cluster: true\n");
            } else if (kind == ResourceKind.CLUSTER) {
                // Not (only) the one cluster resource: the explicit form says what it is, the parser says why not.
                List<String> explicit = entry.resources().stream().filter(p -> p.resourceType() == kind.type())
                        .map(p -> "{type: " + kind.typeName() + ", name: " + scalar(p.name()) + ", patternType: "
                                + p.patternType().name().toLowerCase(Locale.ROOT) + "}")
                        .toList();
                e.append(list("resources", explicit, ENTRY_INDENT));
            } else if (names.size() == 1) {
                e.append(ENTRY_INDENT).append(kind.singularKey()).append(": ").append(names.get(0)).append('\n');
            } else {
                e.append(list(kind.pluralKey(), names, ENTRY_INDENT));
            }
        });
        out.append("  - ").append(e, ENTRY_INDENT.length(), e.length());
    }

    /** A name as a list item: {@code orders}, {@code {prefix: orders.}}, {@code "*"}. */
    private static String name(ResourcePattern p) {
        return p.patternType() == PatternType.PREFIXED ? "{prefix: " + scalar(p.name()) + "}" : scalar(p.name());
    }

    /** Lists compared item by item, a shorter list first when it is the start of the other. */
    private static <T> Comparator<List<T>> lexicographic(Comparator<T> items) {
        return (a, b) -> {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                int c = items.compare(a.get(i), b.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(a.size(), b.size());
        };
    }

    /** {@code key: [a, b]} on one line when it fits, else one {@code - item} per line. */
    private static String list(String key, List<String> items, String indent) {
        String flow = indent + key + ": [" + String.join(", ", items) + "]";
        if (flow.length() <= LINE_WIDTH) {
            return flow + "\n";
        }
        StringBuilder out = new StringBuilder(indent).append(key).append(":\n");
        items.forEach(item -> out.append(indent).append("  - ").append(item).append('\n'));
        return out.toString();
    }

    /**
     * A YAML scalar that reads back as exactly {@code text} in any position of a policy file: plain when that is
     * unambiguous, else double-quoted with {@code \}, {@code "} and characters YAML does not allow in a stream (or
     * would take for line breaks) escaped.
     */
    static String scalar(String text) {
        if (PLAIN.matcher(text).matches() && !text.endsWith(":") && !text.contains("::")
                && !NULL_WORDS.contains(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        text.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 0x85 -> out.append("\\N");
                case 0x2028 -> out.append("\\L");
                case 0x2029 -> out.append("\\P");
                default -> {
                    if (printable(c)) {
                        out.appendCodePoint(c);
                    } else if (c <= 0xFF) {
                        out.append(String.format("\\x%02X", c));
                    } else if (c <= 0xFFFF) {
                        out.append(String.format("\\u%04X", c));
                    } else {
                        out.append(String.format("\\U%08X", c));
                    }
                }
            }
        });
        return out.append('"').toString();
    }

    /** YAML's printable characters, less the byte order mark (which a reader may drop). */
    private static boolean printable(int c) {
        return (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF)
                || (c >= 0x10000 && c <= 0x10FFFF);
    }
}
