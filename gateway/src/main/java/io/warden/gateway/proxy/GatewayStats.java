package io.warden.gateway.proxy;

import org.apache.kafka.common.protocol.ApiKeys;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Live counters of the gateway's connections and requests. Thread-safe; read by tests and by the metrics. */
public final class GatewayStats {

    /** What became of a request. */
    public enum Outcome {
        /** Sent to a broker (whole, or the parts the policy allows). */
        FORWARDED,
        /** Answered by the gateway itself (ApiVersions, SASL, Kafka's ACL APIs). */
        ANSWERED,
        /** Answered with an authorization error, without reaching a broker. */
        DENIED,
        /** The connection was closed because of it. */
        REFUSED
    }

    private final LongAdder[] requests = new LongAdder[(ApiKeys.values().length + 1) * Outcome.values().length];
    private final LongAdder bytesFromClients = new LongAdder();
    private final LongAdder bytesToClients = new LongAdder();
    private final java.util.Map<String, LongAdder> denials = new java.util.concurrent.ConcurrentHashMap<>();

    {
        for (int i = 0; i < requests.length; i++) {
            requests[i] = new LongAdder();
        }
    }

    private static int slot(ApiKeys api, Outcome outcome) {
        return api.ordinal() * Outcome.values().length + outcome.ordinal();
    }

    void request(ApiKeys api, Outcome outcome) {
        requests[slot(api, outcome)].increment();
    }

    /** Requests of this API with this outcome since start. */
    public long requests(ApiKeys api, Outcome outcome) {
        return requests[slot(api, outcome)].sum();
    }

    void bytesFromClient(int n) {
        bytesFromClients.add(n);
    }

    void bytesToClient(int n) {
        bytesToClients.add(n);
    }

    public long bytesFromClients() {
        return bytesFromClients.sum();
    }

    public long bytesToClients() {
        return bytesToClients.sum();
    }

    /** A check the policy denied, by Kafka resource type ({@code topic}, {@code group}, ...). */
    void denied(String resourceType) {
        denials.computeIfAbsent(resourceType, t -> new LongAdder()).increment();
    }

    /** Denied checks on this resource type since start. */
    public long denials(String resourceType) {
        LongAdder n = denials.get(resourceType);
        return n == null ? 0 : n.sum();
    }


    private final java.util.Map<String, java.time.Instant> certificateExpiry = new java.util.concurrent.ConcurrentHashMap<>();

    /** The earliest expiry of the certificate chain a TLS listener serves, as of its last (re)load. */
    void certificateExpires(String listener, java.time.Instant notAfter) {
        certificateExpiry.put(listener, notAfter);
    }

    /** When the first certificate of a TLS listener's chain expires; null before its files were read. */
    public java.time.Instant certificateExpiry(String listener) {
        return certificateExpiry.get(listener);
    }

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
    private final AtomicLong upstreamConnectionsOpened = new AtomicLong();
    private final AtomicLong upstreamReauthentications = new AtomicLong();
    private final AtomicLong acceptedClientConnections = new AtomicLong();
    private final AtomicLong refusedConnections = new AtomicLong();
    private final AtomicLong upstreamReadPauses = new AtomicLong();
    private final AtomicLong clientReadPauses = new AtomicLong();
    private final AtomicLong streamedResponses = new AtomicLong();
    private final AtomicLong legacyScramNonces = new AtomicLong();
    private final AtomicLong expiredSessions = new AtomicLong();
    private final AtomicLong loginTimeouts = new AtomicLong();

    /** What became of a SASL login: {@code success}, {@code reauthentication}, {@code failure}. */
    public static final java.util.List<String> LOGIN_OUTCOMES = java.util.List.of("success", "reauthentication", "failure");

    /** Logins by mechanism ({@code unknown} before one was chosen), then by index in {@link #LOGIN_OUTCOMES}. */
    private final java.util.Map<String, LongAdder[]> logins = new java.util.concurrent.ConcurrentHashMap<>();

    private void login(String mechanism, int outcome) {
        logins.computeIfAbsent(mechanism == null ? "unknown" : mechanism,
                m -> new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()})[outcome].increment();
    }

    /** Logins with this mechanism and outcome (one of {@link #LOGIN_OUTCOMES}) since start. */
    public long logins(String mechanism, String outcome) {
        LongAdder[] n = logins.get(mechanism);
        return n == null ? 0 : n[LOGIN_OUTCOMES.indexOf(outcome)].sum();
    }

    /** Logins with this outcome (index in {@link #LOGIN_OUTCOMES}) over every mechanism. */
    private long logins(int outcome) {
        long n = 0;
        for (LongAdder[] byOutcome : logins.values()) {
            n += byOutcome[outcome].sum();
        }
        return n;
    }

    void authenticationSucceeded(String mechanism, boolean reauthentication, boolean legacyScramNonce) {
        login(mechanism, reauthentication ? 1 : 0);
        if (legacyScramNonce) {
            legacyScramNonces.incrementAndGet();
        }
    }

    void authenticationFailed(String mechanism) {
        login(mechanism, 2);
    }

    void sessionExpired() {
        expiredSessions.incrementAndGet();
    }

    void loginTimedOut() {
        loginTimeouts.incrementAndGet();
    }

    /** Connections on SASL listeners closed because they had not logged in within {@code limits.loginTimeoutSeconds}. */
    public long loginTimeouts() {
        return loginTimeouts.get();
    }

    /** Successful first SASL authentications. */
    public long authentications() {
        return logins(0);
    }

    /** Successful KIP-368 re-authentications. */
    public long reauthentications() {
        return logins(1);
    }

    /** SASL authentications refused (bad credentials, malformed messages, changed principal). */
    public long authenticationFailures() {
        return logins(2);
    }

    /** SCRAM logins accepted only thanks to the allowance for librdkafka's doubled final nonce. */
    public long legacyScramNonces() {
        return legacyScramNonces.get();
    }

    /** Connections closed because their SASL session lapsed without re-authentication. */
    public long expiredSessions() {
        return expiredSessions.get();
    }

    private final java.util.Map<String, IpConnections> perIp = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong admitted = new AtomicLong();
    private final LongAdder refusedTotalLimit = new LongAdder();
    private final LongAdder refusedPerIpLimit = new LongAdder();
    private final LongAdder refusedCreationRate = new LongAdder();
    private final AtomicLong lastLimitLog = new AtomicLong(System.nanoTime() - LIMIT_LOG_INTERVAL_NANOS);
    private static final long LIMIT_LOG_INTERVAL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    /** The window the connection creation rate is measured over. */
    static final long CREATION_WINDOW_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    private static final long SWEEP_INTERVAL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    private final AtomicLong lastSweep = new AtomicLong(System.nanoTime());

    /**
     * One client IP's open connections, and the connections it opened in the current and the previous creation
     * window (the rate is their sliding sum over one window). Guarded by itself; {@code removed} once dropped from the
     * map, so that an admission that raced with the removal starts again with a fresh entry.
     */
    private static final class IpConnections {
        int open;
        long windowStart;
        boolean started;
        int createdInWindow;
        int createdInPreviousWindow;
        boolean removed;

        /** Connections opened in the last window, estimated from the current and the previous one. */
        double recentCreations(long now) {
            if (!started) {
                started = true;
                windowStart = now;
            }
            long elapsed = now - windowStart;
            if (elapsed >= CREATION_WINDOW_NANOS) {
                createdInPreviousWindow = elapsed >= 2 * CREATION_WINDOW_NANOS ? 0 : createdInWindow;
                createdInWindow = 0;
                windowStart += elapsed - elapsed % CREATION_WINDOW_NANOS;
                elapsed = now - windowStart;
            }
            return createdInPreviousWindow * (double) (CREATION_WINDOW_NANOS - elapsed) / CREATION_WINDOW_NANOS + createdInWindow;
        }

        /** True when nothing about this IP needs remembering any more. */
        boolean forgettable(long now) {
            return open == 0 && (!started || now - windowStart >= 2 * CREATION_WINDOW_NANOS);
        }
    }

    /**
     * Admits a new connection from {@code ip} within the limits, or returns why not ({@code total}, {@code per_ip} or
     * {@code creation_rate}). An admitted connection must be {@link #release released} when it closes.
     *
     * @param maxCreationRate connections per second from one IP (KIP-612); 0 for no limit. Refused connections do not
     *                        count towards it, so a client that backs off gets in again within a window.
     */
    String admit(String ip, int maxConnections, int maxPerIp, int maxCreationRate) {
        return admit(ip, maxConnections, maxPerIp, maxCreationRate, System.nanoTime());
    }

    String admit(String ip, int maxConnections, int maxPerIp, int maxCreationRate, long now) {
        if (admitted.incrementAndGet() > maxConnections) {
            admitted.decrementAndGet();
            refusedTotalLimit.increment();
            return "total";
        }
        long last = lastSweep.get();
        if (now - last >= SWEEP_INTERVAL_NANOS && lastSweep.compareAndSet(last, now)) {
            forgetIdleIps(now);
        }
        while (true) {
            IpConnections fromIp = perIp.computeIfAbsent(ip, k -> new IpConnections());
            synchronized (fromIp) {
                if (fromIp.removed) {
                    continue;
                }
                String refusal = null;
                if (fromIp.open >= maxPerIp) {
                    refusedPerIpLimit.increment();
                    refusal = "per_ip";
                } else if (maxCreationRate > 0 && fromIp.recentCreations(now) >= maxCreationRate) {
                    refusedCreationRate.increment();
                    refusal = "creation_rate";
                }
                if (refusal != null) {
                    admitted.decrementAndGet();
                    return refusal;
                }
                if (maxCreationRate > 0) {
                    fromIp.createdInWindow++;
                }
                fromIp.open++;
                return null;
            }
        }
    }

    void release(String ip) {
        admitted.decrementAndGet();
        IpConnections fromIp = perIp.get(ip);
        if (fromIp != null) {
            synchronized (fromIp) {
                fromIp.open--;
                forgetIfIdle(ip, fromIp, System.nanoTime());
            }
        }
    }

    /** Drops the entries of IPs with no connection open and none opened lately, so that the map stays bounded. */
    private void forgetIdleIps(long now) {
        perIp.forEach((ip, fromIp) -> {
            synchronized (fromIp) {
                forgetIfIdle(ip, fromIp, now);
            }
        });
    }

    private void forgetIfIdle(String ip, IpConnections fromIp, long now) {
        if (!fromIp.removed && fromIp.forgettable(now)) {
            fromIp.removed = true;
            perIp.remove(ip, fromIp);
        }
    }

    /** IP addresses whose connections are tracked now (open, or opened within the creation rate's window). */
    int trackedIps() {
        return perIp.size();
    }

    /** True at most once per interval: whether a refusal by a connection limit should be logged now. */
    boolean limitLogDue() {
        long now = System.nanoTime();
        long last = lastLimitLog.get();
        return now - last >= LIMIT_LOG_INTERVAL_NANOS && lastLimitLog.compareAndSet(last, now);
    }

    /** Connections refused on accept because a limit was reached: {@code total}, {@code per_ip} or {@code creation_rate}. */
    public long refusedByLimit(String limit) {
        return switch (limit) {
            case "total" -> refusedTotalLimit.sum();
            case "per_ip" -> refusedPerIpLimit.sum();
            case "creation_rate" -> refusedCreationRate.sum();
            default -> throw new IllegalArgumentException("no connection limit " + limit);
        };
    }

    private final LongAdder throttledProduce = new LongAdder();
    private final LongAdder throttledFetch = new LongAdder();
    private final LongAdder produceThrottleMs = new LongAdder();
    private final LongAdder fetchThrottleMs = new LongAdder();

    /** A Produce or Fetch answered with a throttle time because its principal was over its byte-rate quota. */
    void quotaThrottled(ApiKeys api, int throttleMs) {
        if (api == ApiKeys.PRODUCE) {
            throttledProduce.increment();
            produceThrottleMs.add(throttleMs);
        } else {
            throttledFetch.increment();
            fetchThrottleMs.add(throttleMs);
        }
    }

    /** Produce ({@code produce}) or Fetch ({@code fetch}) responses throttled by a byte-rate quota. */
    public long quotaThrottled(String kind) {
        return (kind.equals("produce") ? throttledProduce : throttledFetch).sum();
    }

    /** The throttle time, in milliseconds, given to Produce ({@code produce}) or Fetch ({@code fetch}) responses. */
    public long quotaThrottleMs(String kind) {
        return (kind.equals("produce") ? produceThrottleMs : fetchThrottleMs).sum();
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
        upstreamConnectionsOpened.incrementAndGet();
    }

    void upstreamClosed() {
        openUpstreamConnections.decrementAndGet();
    }

    private final AtomicLong autoCreationRequests = new AtomicLong();

    void autoCreationRequested() {
        autoCreationRequests.incrementAndGet();
    }

    /** Metadata requests the gateway sent of its own to have a broker auto-create topics ({@link AutoTopicCreation}). */
    public long autoCreationRequests() {
        return autoCreationRequests.get();
    }

    void upstreamReauthenticated() {
        upstreamReauthentications.incrementAndGet();
    }

    /** Times the gateway renewed its own SASL session on an open broker connection (KIP-368). */
    public long upstreamReauthentications() {
        return upstreamReauthentications.get();
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

    /** Connections to brokers opened since start (for clients; the gateway's own lookups are not counted). */
    public long upstreamConnectionsOpened() {
        return upstreamConnectionsOpened.get();
    }

    public long acceptedClientConnections() {
        return acceptedClientConnections.get();
    }

    /** Connections closed by the gateway because of what the client sent. */
    public long refusedConnections() {
        return refusedConnections.get();
    }
}
