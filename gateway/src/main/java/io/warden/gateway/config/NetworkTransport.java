package io.warden.gateway.config;

import java.util.Locale;

/**
 * How the gateway's event loops do network I/O (the {@code transport} key): {@code epoll}, Linux's native transport
 * through Netty (fewer system calls and no selector garbage per wake-up); {@code nio}, Java's portable selectors; or
 * {@code auto}, the default, epoll when it loads on this machine and NIO otherwise.
 */
public enum NetworkTransport {
    AUTO, EPOLL, NIO;

    /** The name used in the configuration file and in logs. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
