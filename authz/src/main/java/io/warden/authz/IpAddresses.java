package io.warden.authz;

/**
 * Allocation-free parsing of textual IP addresses, so that CIDR host ACLs can be checked on
 * the request path without creating objects. IPv4 addresses are four dotted decimal parts;
 * IPv6 addresses take every RFC 4291 text form (compressed {@code ::}, an IPv4 tail, a
 * {@code %zone} suffix, which is ignored).
 */
final class IpAddresses {

    private IpAddresses() {
    }

    /** The IPv4 address in {@code s} as an unsigned 32-bit value, or -1 if it is not one. */
    static long parseV4(String s) {
        return parseV4(s, 0, s.length());
    }

    /** The IPv4 address in {@code s[from, to)} as an unsigned 32-bit value, or -1 if it is not one. */
    static long parseV4(String s, int from, int to) {
        long result = 0;
        int parts = 0;
        int i = from;
        while (true) {
            int value = 0;
            int digits = 0;
            while (i < to) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    break;
                }
                value = value * 10 + (c - '0');
                i++;
                if (++digits > 3) {
                    return -1;
                }
            }
            if (digits == 0 || value > 255) {
                return -1;
            }
            result = result << 8 | value;
            parts++;
            if (i == to) {
                return parts == 4 ? result : -1;
            }
            if (s.charAt(i) != '.' || parts == 4) {
                return -1;
            }
            i++;
        }
    }

    /**
     * Whether {@code s} is an IPv6 address whose bits under the mask equal the network's.
     * With an all-zero mask this tells whether {@code s} is a valid IPv6 address.
     */
    static boolean v6InNetwork(String s, long netHi, long netLo, long maskHi, long maskLo) {
        int end = s.indexOf('%');
        if (end < 0) {
            end = s.length();
        }
        if (end < 2) {
            return false;
        }
        long beforeHi = 0;
        long beforeLo = 0;
        long afterHi = 0;
        long afterLo = 0;
        int before = 0;
        int after = 0;
        boolean compressed = false;
        int i = 0;
        if (s.charAt(0) == ':') {
            if (s.charAt(1) != ':') {
                return false;
            }
            compressed = true;
            i = 2;
        }
        while (i < end) {
            int value = 0;
            int j = i;
            while (j < end && j - i < 5) {
                int digit = hexDigit(s.charAt(j));
                if (digit < 0) {
                    break;
                }
                value = value << 4 | digit;
                j++;
            }
            if (j < end && s.charAt(j) == '.') {
                long v4 = parseV4(s, i, end);
                if (v4 < 0 || before + after > 6) {
                    return false;
                }
                if (compressed) {
                    afterHi = afterHi << 32 | afterLo >>> 32;
                    afterLo = afterLo << 32 | v4;
                    after += 2;
                } else {
                    beforeHi = beforeHi << 32 | beforeLo >>> 32;
                    beforeLo = beforeLo << 32 | v4;
                    before += 2;
                }
                break;
            }
            int digits = j - i;
            if (digits == 0 || digits > 4 || before + after == 8) {
                return false;
            }
            if (compressed) {
                afterHi = afterHi << 16 | afterLo >>> 48;
                afterLo = afterLo << 16 | value;
                after++;
            } else {
                beforeHi = beforeHi << 16 | beforeLo >>> 48;
                beforeLo = beforeLo << 16 | value;
                before++;
            }
            if (j == end) {
                break;
            }
            if (s.charAt(j) != ':' || j + 1 == end) {
                return false;
            }
            if (s.charAt(j + 1) == ':') {
                if (compressed) {
                    return false;
                }
                compressed = true;
                i = j + 2;
            } else {
                i = j + 1;
            }
        }
        if (compressed ? before + after > 7 : before != 8) {
            return false;
        }
        int shift = 16 * (8 - before);
        long hi;
        long lo;
        if (shift == 0) {
            hi = beforeHi;
            lo = beforeLo;
        } else if (shift >= 128) {
            hi = 0;
            lo = 0;
        } else if (shift >= 64) {
            hi = beforeLo << (shift - 64);
            lo = 0;
        } else {
            hi = beforeHi << shift | beforeLo >>> (64 - shift);
            lo = beforeLo << shift;
        }
        hi |= afterHi;
        lo |= afterLo;
        return ((hi ^ netHi) & maskHi) == 0 && ((lo ^ netLo) & maskLo) == 0;
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
