package io.warden.authz;

import java.util.Map;

/**
 * An open-addressing table from resource names to their ACLs that can also be probed with a
 * prefix of a longer name, given the prefix's length and its {@link String#hashCode()} value.
 * The request path computes that hash incrementally while walking the name, so looking up
 * every prefix of a name creates no substrings.
 */
final class NameTable {

    private final String[] keys;
    private final int[] hashes;
    private final PatternAcls[] values;
    private final int mask;

    NameTable(Map<String, PatternAcls> entries) {
        int capacity = Integer.highestOneBit(Math.max(2, entries.size() * 2 - 1)) << 1;
        keys = new String[capacity];
        hashes = new int[capacity];
        values = new PatternAcls[capacity];
        mask = capacity - 1;
        entries.forEach((key, value) -> {
            int hash = key.hashCode();
            int i = slot(hash);
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = key;
            hashes[i] = hash;
            values[i] = value;
        });
    }

    /** The ACLs for exactly {@code name}, or {@code null}. */
    PatternAcls get(String name) {
        int hash = name.hashCode();
        for (int i = slot(hash); ; i = (i + 1) & mask) {
            String key = keys[i];
            if (key == null) {
                return null;
            }
            if (hashes[i] == hash && key.equals(name)) {
                return values[i];
            }
        }
    }

    /**
     * The ACLs for the first {@code length} characters of {@code name}, or {@code null};
     * {@code hash} must be the hash code of that prefix.
     */
    PatternAcls getPrefix(String name, int length, int hash) {
        for (int i = slot(hash); ; i = (i + 1) & mask) {
            String key = keys[i];
            if (key == null) {
                return null;
            }
            if (hashes[i] == hash && key.length() == length && name.startsWith(key)) {
                return values[i];
            }
        }
    }

    private int slot(int hash) {
        int h = hash * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }
}
