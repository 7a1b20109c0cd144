package io.warden.gateway.proxy;

import io.warden.gateway.config.QuotasConfig;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The byte-rate quotas of one gateway: one rate per quota that holds some traffic (a principal's, or a client id's:
 * {@link QuotasConfig#quotaOf}), shared by all the connections it holds on every listener and event loop. A connection
 * takes its {@link Rates} once, at its first request after its principal is known (the client id that request carries
 * decides the client-id quotas), and records into them directly, so the request path looks nothing up. Rates without
 * connections and without bytes inside the window are forgotten, so that the map stays bounded. Thread-safe.
 */
final class ClientQuotas {

    private final QuotasConfig config;
    private final long sampleNanos;
    /** By kind and entity: {@code PRODUCE user User:alice}, {@code FETCH client-id app}. */
    private final Map<String, Shared> rates = new ConcurrentHashMap<>();
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
     * The shared rates that hold {@code principal}'s requests with this client id, for one more connection, or null when
     * no quota holds them. A connection that got one must {@link #release} it when it closes.
     */
    Rates acquire(String principal, String clientId) {
        QuotasConfig.Quota produce = config.quotaOf(principal, clientId, QuotasConfig.Kind.PRODUCE);
        QuotasConfig.Quota fetch = config.quotaOf(principal, clientId, QuotasConfig.Kind.FETCH);
        if (produce == null && fetch == null) {
            return null;
        }
        long now = System.nanoTime();
        long last = lastSweep.get();
        if (now - last >= window() && lastSweep.compareAndSet(last, now)) {
            rates.forEach((key, shared) -> {
                synchronized (shared) {
                    if (!shared.removed && shared.connections == 0 && shared.rate.idle(now)) {
                        shared.removed = true;
                        rates.remove(key, shared);
                    }
                }
            });
        }
        return new Rates(share(QuotasConfig.Kind.PRODUCE, produce), share(QuotasConfig.Kind.FETCH, fetch));
    }

    private Shared share(QuotasConfig.Kind kind, QuotasConfig.Quota quota) {
        if (quota == null) {
            return null;
        }
        while (true) {
            Shared shared = rates.computeIfAbsent(kind + " " + quota.entity(), key -> new Shared(new ByteRate(quota.bytesPerSecond(),
                    config.windowSamples(), sampleNanos, System.nanoTime())));
            synchronized (shared) {
                if (!shared.removed) {
                    shared.connections++;
                    return shared;
                }
            }
        }
    }

    void release(Rates p) {
        for (Shared shared : new Shared[] {p.produce, p.fetch}) {
            if (shared != null) {
                synchronized (shared) {
                    shared.connections--;
                }
            }
        }
    }

    private long window() {
        return config.windowSamples() * sampleNanos;
    }

    /** One rate and the connections it holds. */
    private static final class Shared {

        final ByteRate rate;
        /** Guarded by this. */
        int connections;
        boolean removed;

        Shared(ByteRate rate) {
            this.rate = rate;
        }
    }

    /** The produce and fetch rates that hold one connection; a null rate is unlimited. */
    static final class Rates {

        private final Shared produce;
        private final Shared fetch;

        private Rates(Shared produce, Shared fetch) {
            this.produce = produce;
            this.fetch = fetch;
        }

        /** Records a Produce request's size; the throttle time in ms, 0 within the quota. */
        int produced(int requestBytes) {
            return produce == null ? 0 : produce.rate.record(requestBytes, System.nanoTime());
        }

        /**
         * Records a Fetch response's size; the throttle time in ms, 0 within the quota. A response over the quota is
         * answered without its records, so its size does not count (Kafka unrecords it).
         */
        int fetched(int responseBytes) {
            return fetch == null ? 0 : fetch.rate.recordIfWithin(responseBytes, System.nanoTime());
        }

        /**
         * The most one Fetch may return and still fit the fetch quota (Kafka's {@code getMaxValueInQuotaWindow}), or
         * {@link Integer#MAX_VALUE} without a fetch quota.
         */
        int fetchMaxBytes() {
            return fetch == null ? Integer.MAX_VALUE : (int) Math.min(fetch.rate.perWindow(), Integer.MAX_VALUE);
        }
    }
}
