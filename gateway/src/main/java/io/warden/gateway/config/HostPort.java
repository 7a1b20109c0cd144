package io.warden.gateway.config;

import java.util.regex.Pattern;

/**
 * A host and a TCP port, as written in {@code host:port} form ({@code [v6addr]:port} for IPv6 literals).
 */
public record HostPort(String host, int port) {

    /** Characters of a host name or IP address, as Kafka's own host:port parsing takes them. */
    private static final Pattern HOST = Pattern.compile("[0-9A-Za-z.%_:-]+");

    public HostPort {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1-65535, got " + port);
        }
    }

    /** Parses {@code host:port}; throws {@link IllegalArgumentException} naming what is wrong. */
    public static HostPort parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("expected host:port, got nothing");
        }
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got '" + text + "'");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!isHost(host)) {
            // a name no host can have would load, and the gateway would then never reach that broker
            throw new IllegalArgumentException("expected host:port with a host name or IP address, got '" + text + "'");
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a numeric port in '" + text + "'");
        }
        return new HostPort(host, port);
    }

    /**
     * Whether {@code text} is a host name or IP address alone: only the characters a host can have, and a colon only
     * as part of an IPv6 literal (so never a port).
     */
    public static boolean isHost(String text) {
        boolean ipv6 = text.chars().filter(c -> c == ':').count() >= 2;
        return HOST.matcher(text).matches() && (ipv6 || text.indexOf(':') < 0);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
