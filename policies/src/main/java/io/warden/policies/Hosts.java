package io.warden.policies;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The host of an ACL: {@code *}, an IP address, or a CIDR block. Kafka compares the host as a string against the
 * client's IP address in Java's notation ({@code InetAddress.getHostAddress()}), so IPv6 addresses are rewritten in
 * that form ({@code ::1} becomes {@code 0:0:0:0:0:0:0:1}) and host names are refused: they would never match.
 * A CIDR block is a Warden extension that Kafka's kafka-acls cannot express; a /32 (or /128) is written as the
 * plain address.
 */
public final class Hosts {

    static final String ANY = "*";

    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");

    private Hosts() {
    }

    /** The host in the form Kafka compares; throws IllegalArgumentException saying what is wrong. */
    static String canonical(String host) {
        if (host.equals(ANY)) {
            return ANY;
        }
        int slash = host.indexOf('/');
        if (slash < 0) {
            return address(host).getHostAddress();
        }
        InetAddress network = address(host.substring(0, slash));
        int bits = network.getAddress().length * 8;
        int prefix = prefixLength(host, host.substring(slash + 1), bits);
        if (!hostBitsZero(network.getAddress(), prefix)) {
            throw new IllegalArgumentException("CIDR block '" + host + "' has bits set after the first " + prefix
                    + "; did you mean " + network(network, prefix) + "/" + prefix + "?");
        }
        return prefix == bits ? network.getHostAddress() : network.getHostAddress() + "/" + prefix;
    }

    /**
     * An IP address (not {@code *}, not a CIDR block, never a host name) in Java's notation, as client addresses are
     * compared; throws IllegalArgumentException saying what is wrong.
     */
    public static String canonicalAddress(String text) {
        return address(text).getHostAddress();
    }

    private static InetAddress address(String text) {
        boolean v4 = IPV4.matcher(text).matches();
        // Only literals reach InetAddress: with a ':' and nothing but hex digits, it parses and never looks up DNS.
        boolean v6 = !v4 && text.contains(":") && IPV6_CHARS.matcher(text).matches();
        if (v4 || v6) {
            try {
                return InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + text + "' is not a valid IPv6 address");
            }
        }
        if (text.matches("[0-9.]+")) {
            throw new IllegalArgumentException("'" + text + "' is not a valid IPv4 address (four numbers 0-255, no leading zeros)");
        }
        throw new IllegalArgumentException("host '" + text + "' is not an IP address; Kafka matches the client's IP"
                + " address, so write \"*\", an address such as 10.1.2.3, or a CIDR block such as 10.1.0.0/16");
    }

    private static int prefixLength(String host, String text, int bits) {
        if (text.matches("\\d{1,3}")) {
            int prefix = Integer.parseInt(text);
            if (prefix <= bits) {
                return prefix;
            }
        }
        throw new IllegalArgumentException("CIDR block '" + host + "' needs a prefix length from 0 to " + bits);
    }

    private static boolean hostBitsZero(byte[] address, int prefix) {
        for (int bit = prefix; bit < address.length * 8; bit++) {
            if ((address[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                return false;
            }
        }
        return true;
    }

    private static String network(InetAddress address, int prefix) {
        byte[] bytes = address.getAddress();
        for (int bit = prefix; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + bytes.length + " bytes", e);
        }
    }
}
