package io.warden.gateway.config;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Byte-rate quotas, as Kafka's client quotas (KIP-13, KIP-55) apply them to users and client ids: the produce and
 * fetch traffic through this gateway that one quota holds, over all its connections, is measured over a sliding
 * window of samples, and traffic above its rate gets a throttle time in its responses and has its connections muted
 * for that long (KIP-219).
 *
 * <p>Which quota holds a request is decided as Kafka decides it, for each kind on its own: the principal's own rate,
 * else the default principal rate, else its client id's own rate, else the default client-id rate. A principal's
 * rate (its own or the default) is shared by all connections of that principal, whatever their client ids; a client
 * id's (its own or the default) by all connections with that client id, whatever their principals.
 *
 * @param defaults       the rates of every principal without its own entry (or for the kinds its entry leaves out)
 * @param principals     rates by principal ({@code User:alice}); a kind an entry leaves out is the default's
 * @param clientDefaults the rates of every client id without its own entry, where no principal rate applies
 * @param clients        rates by client id, where no principal rate applies
 * @param windowSamples  how many samples the rate is measured over (Kafka's {@code quota.window.num})
 * @param sampleLength   how long each sample lasts (Kafka's {@code quota.window.size.seconds})
 */
public record QuotasConfig(ByteRates defaults, Map<String, ByteRates> principals, ByteRates clientDefaults,
                           Map<String, ByteRates> clients, int windowSamples, Duration sampleLength) {

    public static final int DEFAULT_WINDOW_SAMPLES = 11;
    public static final Duration DEFAULT_SAMPLE_LENGTH = Duration.ofSeconds(1);

    /** The two kinds of traffic a quota holds. */
    public enum Kind { PRODUCE, FETCH }

    /**
     * The quota that holds some traffic.
     *
     * @param entity         what shares it: {@code user <principal>} or {@code client-id <id>}
     * @param bytesPerSecond its rate
     */
    public record Quota(String entity, long bytesPerSecond) {
    }

    public QuotasConfig {
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(clientDefaults, "clientDefaults");
        principals = Map.copyOf(principals);
        clients = Map.copyOf(clients);
        if (windowSamples < 2) {
            throw new IllegalArgumentException("windowSamples must be at least 2");
        }
    }

    /**
     * The quota of this kind that holds requests of {@code principal} with this client id, in Kafka's order; null
     * when none does.
     */
    public Quota quotaOf(String principal, String clientId, Kind kind) {
        ByteRates own = principals.get(principal);
        if (own != null && own.of(kind) != ByteRates.UNLIMITED) {
            return new Quota("user " + principal, own.of(kind));
        }
        if (defaults.of(kind) != ByteRates.UNLIMITED) {
            return new Quota("user " + principal, defaults.of(kind));
        }
        String id = clientId == null ? "" : clientId;
        ByteRates client = clients.get(id);
        if (client != null && client.of(kind) != ByteRates.UNLIMITED) {
            return new Quota("client-id " + id, client.of(kind));
        }
        if (clientDefaults.of(kind) != ByteRates.UNLIMITED) {
            return new Quota("client-id " + id, clientDefaults.of(kind));
        }
        return null;
    }

    /**
     * Produce and fetch byte rates; {@link #UNLIMITED} ({@code 0}) for a kind without a quota.
     *
     * @param produceBytesPerSecond request bytes of Produce requests per second (Kafka's {@code producer_byte_rate})
     * @param fetchBytesPerSecond   response bytes of Fetch responses per second (Kafka's {@code consumer_byte_rate})
     */
    public record ByteRates(long produceBytesPerSecond, long fetchBytesPerSecond) {

        public static final long UNLIMITED = 0;
        public static final ByteRates NONE = new ByteRates(UNLIMITED, UNLIMITED);

        public ByteRates {
            if (produceBytesPerSecond < 0 || fetchBytesPerSecond < 0) {
                throw new IllegalArgumentException("byte rates must not be negative");
            }
        }

        /** The rate of this kind; {@link #UNLIMITED} for none. */
        public long of(Kind kind) {
            return kind == Kind.PRODUCE ? produceBytesPerSecond : fetchBytesPerSecond;
        }

        public boolean unlimited() {
            return produceBytesPerSecond == UNLIMITED && fetchBytesPerSecond == UNLIMITED;
        }
    }
}
