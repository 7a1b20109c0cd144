package io.warden.gateway.proxy;

import io.warden.gateway.config.QuotasConfig;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The byte-rate quotas of one gateway: one produce rate and one fetch rate per principal with a quota, shared by all
 * of its connections on every listener and event loop. A connection takes its principal's {@link Principal} once
 * (when the principal is known) and records into it directly, so the request path looks nothing up. Principals
 * without connections and without bytes inside the window are forgotten, so that the map stays bounded.
 * Thread-safe.
 */
final class ClientQuotas {

    private final QuotasConfig config;
    private final long sampleNanos;
    private final Map<String, Principal> principals = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong(System.nanoTime());

    private ClientQuotas(QuotasConfig config) {
        this.config = config;
        this.sampleNanos = config.sampleLength().toNanos();
    }

    /** The quotas of this configuration, or null when there are none (the request path then checks for null only). */
    static ClientQuotas of(QuotasConfig config) {
        return config == null ? null : new ClientQuotas(config);
    }

    /**
     * The shared rates of {@code principal} for one more connection, or null when it has no quota. A connection that
     * got one must {@link #release} it when it closes.
     */
    Principal acquire(String principal) {
        QuotasConfig.ByteRates rates = config.ratesOf(principal);
        if (rates.unlimited()) {
            return null;
        }
        long now = System.nanoTime();
        long last = lastSweep.get();
        if (now - last >= window() && lastSweep.compareAndSet(last, now)) {
            principals.forEach((name, p) -> {
                synchronized (p) {
                    if (!p.removed && p.connections == 0 && p.idle(now)) {
                        p.removed = true;
                        principals.remove(name, p);
                    }
                }
            });
        }
        while (true) {
            Principal p = principals.computeIfAbsent(principal, name -> new Principal(config.ratesOf(name), config.windowSamples(),
                    sampleNanos, System.nanoTime()));
            synchronized (p) {
                if (!p.removed) {
                    p.connections++;
                    return p;
                }
            }
        }
    }

    void release(Principal p) {
        synchronized (p) {
            p.connections--;
        }
    }

    private long window() {
        return config.windowSamples() * sampleNanos;
    }

    /** Principals held in memory now (with connections, or with bytes still inside the window). */
    int trackedPrincipals() {
        return principals.size();
    }

    /** One principal's produce and fetch rates; a null rate is unlimited. */
    static final class Principal {

        private final ByteRate produce;
        private final ByteRate fetch;
        /** Guarded by this. */
        private int connections;
        private boolean removed;

        Principal(QuotasConfig.ByteRates rates, int samples, long sampleNanos, long now) {
            this.produce = rates.produceBytesPerSecond() == QuotasConfig.ByteRates.UNLIMITED ? null
                    : new ByteRate(rates.produceBytesPerSecond(), samples, sampleNanos, now);
            this.fetch = rates.fetchBytesPerSecond() == QuotasConfig.ByteRates.UNLIMITED ? null
                    : new ByteRate(rates.fetchBytesPerSecond(), samples, sampleNanos, now);
        }

        /** Records a Produce request's size; the throttle time in ms, 0 within the quota. */
        int produced(int requestBytes) {
            return produce == null ? 0 : produce.record(requestBytes, System.nanoTime());
        }

        /**
         * Records a Fetch response's size; the throttle time in ms, 0 within the quota. A response over the quota is
         * answered without its records, so its size does not count (Kafka unrecords it).
         */
        int fetched(int responseBytes) {
            return fetch == null ? 0 : fetch.recordIfWithin(responseBytes, System.nanoTime());
        }

        /**
         * The most one Fetch may return and still fit the fetch quota (Kafka's {@code getMaxValueInQuotaWindow}), or
         * {@link Integer#MAX_VALUE} without a fetch quota.
         */
        int fetchMaxBytes() {
            return fetch == null ? Integer.MAX_VALUE : (int) Math.min(fetch.perWindow(), Integer.MAX_VALUE);
        }

        private boolean idle(long now) {
            return (produce == null || produce.idle(now)) && (fetch == null || fetch.idle(now));
        }
    }
}
