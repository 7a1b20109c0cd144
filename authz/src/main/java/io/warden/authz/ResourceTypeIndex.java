package io.warden.authz;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.resource.PatternType;

/**
 * The ACLs of one resource type, indexed the three ways Kafka matches a resource name: by
 * literal name, the literal {@code *} wildcard, and by prefix. Prefixes are found by probing
 * only the prefix lengths that exist, hashing the name incrementally as the walk goes.
 */
final class ResourceTypeIndex {

    private static final CompiledAcl[] NONE = new CompiledAcl[0];

    private final NameTable literal;
    private final PatternAcls wildcard;
    private final NameTable prefixed;
    private final int[] prefixLengths;
    private final Map<String, CompiledAcl[]> byPrincipal;

    ResourceTypeIndex(List<CompiledAcl> acls) {
        Map<String, List<CompiledAcl>> literals = new LinkedHashMap<>();
        Map<String, List<CompiledAcl>> prefixes = new LinkedHashMap<>();
        List<CompiledAcl> wildcards = new ArrayList<>();
        Map<String, List<CompiledAcl>> principals = new HashMap<>();
        for (CompiledAcl acl : acls) {
            String name = acl.binding.pattern().name();
            if (acl.binding.pattern().patternType() == PatternType.PREFIXED) {
                prefixes.computeIfAbsent(name, n -> new ArrayList<>()).add(acl);
            } else if (name.equals(AclAuthorizer.WILDCARD_RESOURCE)) {
                wildcards.add(acl);
            } else {
                literals.computeIfAbsent(name, n -> new ArrayList<>()).add(acl);
            }
            principals.computeIfAbsent(acl.principal, p -> new ArrayList<>()).add(acl);
        }
        this.literal = new NameTable(compile(literals));
        this.prefixed = new NameTable(compile(prefixes));
        this.wildcard = wildcards.isEmpty() ? null : new PatternAcls(wildcards);
        TreeSet<Integer> lengths = new TreeSet<>();
        prefixes.keySet().forEach(prefix -> lengths.add(prefix.length()));
        this.prefixLengths = lengths.stream().mapToInt(Integer::intValue).toArray();
        Map<String, CompiledAcl[]> grouped = new HashMap<>(principals.size() * 2);
        principals.forEach((principal, list) -> grouped.put(principal, list.toArray(NONE)));
        this.byPrincipal = grouped;
    }

    /**
     * Kafka's decision for a resource of this type: the first matching DENY among the literal,
     * wildcard and prefixed ACLs; otherwise a matching ALLOW; otherwise {@code noAclFound} if no
     * ACL names the resource at all, and a plain deny if some do.
     */
    AuthorizationDecision authorize(String principal, String host, int operationBit, String name,
                                    AuthorizationDecision noAclFound) {
        boolean resourceHasAcls = false;
        CompiledAcl allow = null;

        PatternAcls acls = literal.get(name);
        if (acls != null) {
            resourceHasAcls = true;
            CompiledAcl match = acls.match(principal, host, operationBit);
            if (match != null) {
                if (match.deny) {
                    return match.decision;
                }
                allow = match;
            }
        }
        if (wildcard != null) {
            resourceHasAcls = true;
            CompiledAcl match = wildcard.match(principal, host, operationBit);
            if (match != null) {
                if (match.deny) {
                    return match.decision;
                }
                if (allow == null) {
                    allow = match;
                }
            }
        }
        int[] lengths = prefixLengths;
        int nameLength = name.length();
        int hash = 0;
        int hashed = 0;
        for (int length : lengths) {
            if (length > nameLength) {
                break;
            }
            while (hashed < length) {
                hash = 31 * hash + name.charAt(hashed++);
            }
            acls = prefixed.getPrefix(name, length, hash);
            if (acls != null) {
                resourceHasAcls = true;
                CompiledAcl match = acls.match(principal, host, operationBit);
                if (match != null) {
                    if (match.deny) {
                        return match.decision;
                    }
                    if (allow == null) {
                        allow = match;
                    }
                }
            }
        }
        if (allow != null) {
            return allow.decision;
        }
        return resourceHasAcls ? AuthorizationDecision.NO_ALLOW_ACL : noAclFound;
    }

    /** Every ACL of this type whose principal is exactly {@code principal} (no wildcard expansion). */
    CompiledAcl[] aclsOf(String principal) {
        CompiledAcl[] acls = byPrincipal.get(principal);
        return acls == null ? NONE : acls;
    }

    private static Map<String, PatternAcls> compile(Map<String, List<CompiledAcl>> byName) {
        Map<String, PatternAcls> compiled = new HashMap<>(byName.size() * 2);
        byName.forEach((name, list) -> compiled.put(name, new PatternAcls(list)));
        return compiled;
    }
}
