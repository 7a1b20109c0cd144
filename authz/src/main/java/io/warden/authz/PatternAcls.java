package io.warden.authz;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ACLs of one resource pattern (a literal name, the {@code *} wildcard, or a prefix),
 * grouped by principal so that a popular resource with thousands of ACLs costs a map lookup,
 * not a scan. Within each group DENY ACLs come first, so the first match found is the one
 * that decides for that group.
 */
final class PatternAcls {

    /** Above this many ACLs for named principals, they are looked up by principal instead of scanned. */
    private static final int SCAN_LIMIT = 8;
    private static final CompiledAcl[] NONE = new CompiledAcl[0];
    private static final Comparator<CompiledAcl> DENY_FIRST = Comparator.comparing(acl -> !acl.deny);

    private final CompiledAcl[] anyPrincipal;
    private final CompiledAcl[] named;
    private final Map<String, CompiledAcl[]> byPrincipal;

    PatternAcls(List<CompiledAcl> acls) {
        List<CompiledAcl> wildcard = new ArrayList<>();
        List<CompiledAcl> others = new ArrayList<>();
        for (CompiledAcl acl : acls) {
            (acl.principal.equals(AclAuthorizer.WILDCARD_PRINCIPAL) ? wildcard : others).add(acl);
        }
        this.anyPrincipal = denyFirst(wildcard);
        if (others.size() <= SCAN_LIMIT) {
            this.named = denyFirst(others);
            this.byPrincipal = null;
        } else {
            Map<String, List<CompiledAcl>> grouped = new HashMap<>();
            for (CompiledAcl acl : others) {
                grouped.computeIfAbsent(acl.principal, p -> new ArrayList<>()).add(acl);
            }
            Map<String, CompiledAcl[]> map = new HashMap<>(grouped.size() * 2);
            grouped.forEach((principal, list) -> map.put(principal, denyFirst(list)));
            this.named = NONE;
            this.byPrincipal = map;
        }
    }

    /**
     * The ACL that decides for this pattern: the first matching DENY, else the first matching
     * ALLOW, else {@code null}.
     */
    CompiledAcl match(String principal, String host, int operationBit) {
        CompiledAcl fromWildcard = first(anyPrincipal, host, operationBit);
        if (fromWildcard != null && fromWildcard.deny) {
            return fromWildcard;
        }
        CompiledAcl fromNamed;
        if (byPrincipal == null) {
            fromNamed = firstFor(named, principal, host, operationBit);
        } else {
            CompiledAcl[] own = byPrincipal.get(principal);
            fromNamed = own == null ? null : first(own, host, operationBit);
        }
        if (fromNamed != null && (fromNamed.deny || fromWildcard == null)) {
            return fromNamed;
        }
        return fromWildcard;
    }

    private static CompiledAcl first(CompiledAcl[] acls, String host, int operationBit) {
        for (CompiledAcl acl : acls) {
            if (acl.matches(host, operationBit)) {
                return acl;
            }
        }
        return null;
    }

    private static CompiledAcl firstFor(CompiledAcl[] acls, String principal, String host, int operationBit) {
        for (CompiledAcl acl : acls) {
            if (acl.principal.equals(principal) && acl.matches(host, operationBit)) {
                return acl;
            }
        }
        return null;
    }

    private static CompiledAcl[] denyFirst(List<CompiledAcl> acls) {
        if (acls.isEmpty()) {
            return NONE;
        }
        List<CompiledAcl> sorted = new ArrayList<>(acls);
        sorted.sort(DENY_FIRST);
        return sorted.toArray(NONE);
    }
}
