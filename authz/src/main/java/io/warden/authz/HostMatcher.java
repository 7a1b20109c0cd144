package io.warden.authz;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The host part of an ACL, compiled once: Kafka's {@code *} and exact address strings, plus
 * CIDR blocks ({@code 10.0.0.0/8}, {@code fd00::/8}) so that one ACL can cover a subnet.
 * Exact hosts compare as strings, as Kafka does with the client's address text; CIDR blocks
 * compare address bits, so any textual form of an IPv6 address matches them.
 */
final class HostMatcher {

    static final HostMatcher ANY = new HostMatcher(Kind.ANY, null, 0, 0, 0, 0);

    private enum Kind { ANY, EXACT, V4, V6 }

    private final Kind kind;
    private final String exact;
    private final long netHi;
    private final long netLo;
    private final long maskHi;
    private final long maskLo;

    private HostMatcher(Kind kind, String exact, long netHi, long netLo, long maskHi, long maskLo) {
        this.kind = kind;
        this.exact = exact;
        this.netHi = netHi;
        this.netLo = netLo;
        this.maskHi = maskHi;
        this.maskLo = maskLo;
    }

    /** Compiles an ACL host; throws {@link IllegalArgumentException} for an empty host or a bad CIDR block. */
    static HostMatcher parse(String host) {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("host must be '*', an address or a CIDR block, not empty");
        }
        if (host.equals("*")) {
            return ANY;
        }
        int slash = host.indexOf('/');
        if (slash < 0) {
            return new HostMatcher(Kind.EXACT, host, 0, 0, 0, 0);
        }
        String base = host.substring(0, slash);
        int prefix = prefixLength(host.substring(slash + 1), host);
        long v4 = IpAddresses.parseV4(base);
        if (v4 >= 0) {
            if (prefix > 32) {
                throw new IllegalArgumentException("host '" + host + "': an IPv4 prefix length is at most 32");
            }
            long mask = prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
            return new HostMatcher(Kind.V4, null, 0, v4 & mask, 0, mask);
        }
        if (base.indexOf(':') < 0 || base.indexOf('%') >= 0 || !IpAddresses.v6InNetwork(base, 0, 0, 0, 0)) {
            throw new IllegalArgumentException("host '" + host + "': '" + base + "' is not an IPv4 or IPv6 address");
        }
        if (prefix > 128) {
            throw new IllegalArgumentException("host '" + host + "': an IPv6 prefix length is at most 128");
        }
        byte[] bytes = v6Bytes(base);
        long hi = bits(bytes, 0);
        long lo = bits(bytes, 8);
        long maskHi = prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
        long maskLo = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
        return new HostMatcher(Kind.V6, null, hi & maskHi, lo & maskLo, maskHi, maskLo);
    }

    /** Whether the client address text matches this ACL host. */
    boolean matches(String host) {
        switch (kind) {
            case ANY:
                return true;
            case EXACT:
                return exact.equals(host);
            case V4:
                long address = IpAddresses.parseV4(host);
                return address >= 0 && (address & maskLo) == netLo;
            default:
                return IpAddresses.v6InNetwork(host, netHi, netLo, maskHi, maskLo);
        }
    }

    /** Whether this is {@code *}. */
    boolean isAny() {
        return kind == Kind.ANY;
    }

    /** The address string this matches exactly, or {@code null} for {@code *} and CIDR blocks. */
    String exactHost() {
        return exact;
    }

    private static int prefixLength(String text, String host) {
        if (text.isEmpty() || text.length() > 3 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("host '" + host + "': the prefix length must be a number");
        }
        return Integer.parseInt(text);
    }

    private static byte[] v6Bytes(String literal) {
        byte[] bytes;
        try {
            // A validated literal: no name lookup happens.
            bytes = InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + literal + "' is not an IPv6 address", e);
        }
        if (bytes.length == 16) {
            return bytes;
        }
        // IPv4-mapped addresses (::ffff:a.b.c.d) come back as IPv4.
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(bytes, 0, mapped, 12, 4);
        return mapped;
    }

    private static long bits(byte[] bytes, int from) {
        long value = 0;
        for (int i = from; i < from + 8; i++) {
            value = value << 8 | (bytes[i] & 0xFF);
        }
        return value;
    }
}
