package io.warden.gateway.proxy;

import java.util.concurrent.atomic.AtomicLong;

/** Live counters of the gateway's connections. Thread-safe; read by tests and, later, by metrics. */
public final class GatewayStats {

    private final java.util.Set<ConnectionInfo> open = java.util.concurrent.ConcurrentHashMap.newKeySet();

    void opened(ConnectionInfo connection) {
        open.add(connection);
    }

    void closed(ConnectionInfo connection) {
        open.remove(connection);
    }

    /** The client connections open right now. */
    public java.util.List<ConnectionInfo> connections() {
        return java.util.List.copyOf(open);
    }

    private final AtomicLong openClientConnections = new AtomicLong();
    private final AtomicLong openUpstreamConnections = new AtomicLong();
    private final AtomicLong acceptedClientConnections = new AtomicLong();
    private final AtomicLong refusedConnections = new AtomicLong();
    private final AtomicLong upstreamReadPauses = new AtomicLong();
    private final AtomicLong clientReadPauses = new AtomicLong();
    private final AtomicLong streamedResponses = new AtomicLong();
    private final AtomicLong authentications = new AtomicLong();
    private final AtomicLong reauthentications = new AtomicLong();
    private final AtomicLong authenticationFailures = new AtomicLong();
    private final AtomicLong legacyScramNonces = new AtomicLong();
    private final AtomicLong expiredSessions = new AtomicLong();

    void authenticationSucceeded(boolean reauthentication, boolean legacyScramNonce) {
        (reauthentication ? reauthentications : authentications).incrementAndGet();
        if (legacyScramNonce) {
            legacyScramNonces.incrementAndGet();
        }
    }

    void authenticationFailed() {
        authenticationFailures.incrementAndGet();
    }

    void sessionExpired() {
        expiredSessions.incrementAndGet();
    }

    /** Successful first SASL authentications. */
    public long authentications() {
        return authentications.get();
    }

    /** Successful KIP-368 re-authentications. */
    public long reauthentications() {
        return reauthentications.get();
    }

    /** SASL authentications refused (bad credentials, malformed messages, changed principal). */
    public long authenticationFailures() {
        return authenticationFailures.get();
    }

    /** SCRAM logins accepted only thanks to the allowance for librdkafka's doubled final nonce. */
    public long legacyScramNonces() {
        return legacyScramNonces.get();
    }

    /** Connections closed because their SASL session lapsed without re-authentication. */
    public long expiredSessions() {
        return expiredSessions.get();
    }

    void clientOpened() {
        openClientConnections.incrementAndGet();
        acceptedClientConnections.incrementAndGet();
    }

    void clientClosed() {
        openClientConnections.decrementAndGet();
    }

    void upstreamOpened() {
        openUpstreamConnections.incrementAndGet();
    }

    void upstreamClosed() {
        openUpstreamConnections.decrementAndGet();
    }

    void refused() {
        refusedConnections.incrementAndGet();
    }

    void upstreamReadPaused() {
        upstreamReadPauses.incrementAndGet();
    }

    void clientReadPaused() {
        clientReadPauses.incrementAndGet();
    }

    void responseStreamed() {
        streamedResponses.incrementAndGet();
    }

    /** Responses forwarded while they were still arriving from the broker. */
    public long streamedResponses() {
        return streamedResponses.get();
    }

    /** Times reading from a broker was paused because a client was slower than its broker. */
    public long upstreamReadPauses() {
        return upstreamReadPauses.get();
    }

    /** Times reading from a client was paused because its broker was slower than the client. */
    public long clientReadPauses() {
        return clientReadPauses.get();
    }

    public long openClientConnections() {
        return openClientConnections.get();
    }

    public long openUpstreamConnections() {
        return openUpstreamConnections.get();
    }

    public long acceptedClientConnections() {
        return acceptedClientConnections.get();
    }

    /** Connections closed by the gateway because of what the client sent. */
    public long refusedConnections() {
        return refusedConnections.get();
    }
}
