package io.warden.gateway.config;

import java.time.Duration;

/**
 * What the gateway does on {@code SIGTERM}: it stops accepting connections, lets requests already read from clients
 * get their responses for at most {@code drainTimeout}, then closes every connection and writes out the audit trail.
 *
 * @param drainTimeout how long in-flight requests may take to be answered once shutdown starts; zero closes at once
 */
public record ShutdownConfig(Duration drainTimeout) {

    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    /** The default: a 30 s drain, as long as Kubernetes' default termination grace period. */
    public static final ShutdownConfig DEFAULT = new ShutdownConfig(DEFAULT_DRAIN_TIMEOUT);
}
