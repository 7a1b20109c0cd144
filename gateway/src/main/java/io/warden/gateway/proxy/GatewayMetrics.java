package io.warden.gateway.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.warden.gateway.config.MetricsConfig;
import org.apache.kafka.common.protocol.ApiKeys;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * The metrics recorded on the request path: request latency split into the time the gateway adds and the time the
 * broker takes, produced bytes per topic, and requests and bytes per principal. Topic and principal series are capped
 * ({@link MetricsConfig}); beyond the cap they share one {@value MetricsConfig#OTHER} series, so a client inventing
 * names cannot grow the scrape without bound. {@link #OFF} records nothing and costs one branch per call.
 */
public final class GatewayMetrics {

    /** Nothing recorded. */
    static final GatewayMetrics OFF = new GatewayMetrics(null, new MetricsConfig(false, 0, 0, false));

    /** Latency buckets: sub-millisecond proxy work up to slow broker calls (long-polling fetches wait up to 30 s). */
    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(5), Duration.ofSeconds(30)};

    /** One principal's series; {@link #NONE} when metrics are off. */
    static final class PrincipalMeters {
        static final PrincipalMeters NONE = new PrincipalMeters(null, null, null);
        private final Counter requests;
        private final Counter received;
        private final Counter sent;

        private PrincipalMeters(Counter requests, Counter received, Counter sent) {
            this.requests = requests;
            this.received = received;
            this.sent = sent;
        }

        void request(int bytes) {
            if (requests != null) {
                requests.increment();
                received.increment(bytes);
            }
        }

        void response(int bytes) {
            if (sent != null) {
                sent.increment(bytes);
            }
        }
    }

    private final PrometheusMeterRegistry registry;
    private final boolean on;
    private final AtomicReferenceArray<Timer> gatewayTime = new AtomicReferenceArray<>(ApiKeys.values().length);
    private final AtomicReferenceArray<Timer> upstreamTime = new AtomicReferenceArray<>(ApiKeys.values().length);
    private final Capped<Counter> produced;
    private final Capped<PrincipalMeters> principals;

    private GatewayMetrics(PrometheusMeterRegistry registry, MetricsConfig config) {
        this.registry = registry;
        this.on = registry != null && config.enabled();
        this.produced = new Capped<>(config.maxTopicSeries(), topic -> Counter.builder("warden.topic.produced").baseUnit("bytes")
                .description("record bytes produced through the gateway, by topic").tag("topic", topic).register(registry));
        this.principals = new Capped<>(config.maxPrincipalSeries(), principal -> new PrincipalMeters(
                Counter.builder("warden.principal.requests").description("requests by authenticated principal")
                        .tag("principal", principal).register(registry),
                Counter.builder("warden.principal.received").baseUnit("bytes").description("request bytes by principal")
                        .tag("principal", principal).register(registry),
                Counter.builder("warden.principal.sent").baseUnit("bytes").description("response bytes by principal")
                        .tag("principal", principal).register(registry)));
    }

    /** A Prometheus registry that records on the request path as {@code config} says. */
    static GatewayMetrics prometheus(MetricsConfig config) {
        return new GatewayMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), config);
    }

    /** The registry the scrape reads; null for {@link #OFF}. */
    PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Whether the request path records anything. */
    boolean on() {
        return on;
    }

    /**
     * One request's latency: {@code gatewayNanos} spent in the gateway (reading, checking, auditing and rewriting,
     * both ways) and {@code upstreamNanos} from its last byte sent to the broker to the response's last byte received.
     */
    void latency(ApiKeys api, long gatewayNanos, long upstreamNanos) {
        if (!on) {
            return;
        }
        timer(gatewayTime, api, "warden.request.gateway.time", "time a request spends in the gateway, both ways")
                .record(Math.max(0, gatewayNanos), TimeUnit.NANOSECONDS);
        timer(upstreamTime, api, "warden.request.upstream.time", "time from a request sent to a broker to its whole response")
                .record(Math.max(0, upstreamNanos), TimeUnit.NANOSECONDS);
    }

    private Timer timer(AtomicReferenceArray<Timer> timers, ApiKeys api, String name, String description) {
        Timer t = timers.get(api.ordinal());
        if (t == null) {
            t = Timer.builder(name).description(description).tag("api", api.name).serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry);
            timers.set(api.ordinal(), t);
        }
        return t;
    }

    /** Record bytes of a produce request to {@code topic}. */
    void produced(String topic, int bytes) {
        if (on && bytes > 0) {
            produced.get(topic).increment(bytes);
        }
    }

    /** The series of a principal, to keep for as long as the connection has that principal. */
    PrincipalMeters principal(String principal) {
        return on ? principals.get(principal) : PrincipalMeters.NONE;
    }

    /** Series by name up to a cap, then one shared {@value MetricsConfig#OTHER} series. */
    private static final class Capped<M> {
        private final int cap;
        private final Function<String, M> create;
        private final Map<String, M> series = new ConcurrentHashMap<>();
        private volatile M other;

        Capped(int cap, Function<String, M> create) {
            this.cap = cap;
            this.create = create;
        }

        M get(String name) {
            M m = series.get(name);
            if (m != null) {
                return m;
            }
            synchronized (this) {
                m = series.get(name);
                if (m != null) {
                    return m;
                }
                if (series.size() < cap && !name.equals(MetricsConfig.OTHER)) {
                    m = create.apply(name);
                    series.put(name, m);
                    return m;
                }
                if (other == null) {
                    other = create.apply(MetricsConfig.OTHER);
                }
                return other;
            }
        }
    }
}
