package io.warden.gateway.config;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Byte-rate quotas, as Kafka's client quotas (KIP-13, KIP-55) apply them to users, client ids and the two together:
 * the produce and fetch traffic through this gateway that one quota holds, over all its connections, is measured over
 * a sliding window of samples, and traffic above its rate gets a throttle time in its responses and has its
 * connections muted for that long (KIP-219).
 *
 * <p>Which quota holds a request is decided as Kafka decides it, for each kind on its own, the first that gives a rate
 * of that kind: the principal's rate for its client id, the principal's default client-id rate, the principal's own
 * rate; the default principal's rate for the client id, its default client-id rate, the default principal rate; the
 * client id's own rate, the default client-id rate. A rate for a principal and a client id (its own or a default) is
 * shared by the connections of that principal with that client id; a principal's rate (its own or the default) by all
 * connections of that principal, whatever their client ids; a client id's (its own or the default) by all connections
 * with that client id, whatever their principals.
 *
 * @param defaults      the rates of every principal without its own entry (or for the kinds its entry leaves out)
 * @param principals    rates by principal ({@code User:alice}); a kind an entry leaves out is the default's
 * @param clients       the rates by client id, where no principal rate applies
 * @param windowSamples how many samples the rate is measured over (Kafka's {@code quota.window.num})
 * @param sampleLength  how long each sample lasts (Kafka's {@code quota.window.size.seconds})
 */
public record QuotasConfig(PrincipalRates defaults, Map<String, PrincipalRates> principals, ClientRates clients,
                           int windowSamples, Duration sampleLength) {

    public static final int DEFAULT_WINDOW_SAMPLES = 11;
    public static final Duration DEFAULT_SAMPLE_LENGTH = Duration.ofSeconds(1);

    /** The two kinds of traffic a quota holds. */
    public enum Kind { PRODUCE, FETCH }

    /**
     * The quota that holds some traffic, named by what shares it, as a Kafka quota entity's components are.
     *
     * @param principal      the principal whose connections share it, null when it is not per principal
     * @param clientId       the client id whose connections share it, null when it is not per client id
     * @param bytesPerSecond its rate
     */
    public record Quota(String principal, String clientId, long bytesPerSecond) {

        /** What shares it: {@code user User:alice}, {@code client-id app}, {@code user User:alice client-id app}. */
        public String entity() {
            return principal == null ? "client-id " + clientId
                    : clientId == null ? "user " + principal : "user " + principal + " client-id " + clientId;
        }
    }

    public QuotasConfig {
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(clients, "clients");
        principals = Map.copyOf(principals);
        if (windowSamples < 2) {
            throw new IllegalArgumentException("windowSamples must be at least 2");
        }
    }

    /** Whether these quotas hold nobody. */
    public boolean unlimited() {
        return defaults.unlimited() && principals.values().stream().allMatch(PrincipalRates::unlimited) && clients.unlimited();
    }

    /**
     * The quota of this kind that holds requests of {@code principal} with this client id, in Kafka's order; null
     * when none does.
     */
    public Quota quotaOf(String principal, String clientId, Kind kind) {
        String id = clientId == null ? "" : clientId;
        PrincipalRates own = principals.get(principal);
        if (own != null) {
            Quota quota = own.quotaOf(principal, id, kind);
            if (quota != null) {
                return quota;
            }
        }
        Quota quota = defaults.quotaOf(principal, id, kind);
        if (quota != null) {
            return quota;
        }
        long rate = clients.of(id, kind);
        return rate == ByteRates.UNLIMITED ? null : new Quota(null, id, rate);
    }

    /**
     * The rates of one principal (or of the default principal).
     *
     * @param rates   its own produce and fetch rates, shared by all its client ids
     * @param clients its rates by client id, each shared by its connections with that client id; before {@code rates}
     */
    public record PrincipalRates(ByteRates rates, ClientRates clients) {

        public static final PrincipalRates NONE = new PrincipalRates(ByteRates.NONE, ClientRates.NONE);

        public PrincipalRates {
            Objects.requireNonNull(rates, "rates");
            Objects.requireNonNull(clients, "clients");
        }

        public boolean unlimited() {
            return rates.unlimited() && clients.unlimited();
        }

        private Quota quotaOf(String principal, String clientId, Kind kind) {
            long byClient = clients.of(clientId, kind);
            if (byClient != ByteRates.UNLIMITED) {
                return new Quota(principal, clientId, byClient);
            }
            return rates.of(kind) == ByteRates.UNLIMITED ? null : new Quota(principal, null, rates.of(kind));
        }
    }

    /**
     * Rates by client id.
     *
     * @param defaults the rates of every client id without its own entry (or for the kinds its entry leaves out)
     * @param ids      rates by client id; a kind an entry leaves out is the default's
     */
    public record ClientRates(ByteRates defaults, Map<String, ByteRates> ids) {

        public static final ClientRates NONE = new ClientRates(ByteRates.NONE, Map.of());

        public ClientRates {
            Objects.requireNonNull(defaults, "defaults");
            ids = Map.copyOf(ids);
        }

        public boolean unlimited() {
            return defaults.unlimited() && ids.isEmpty();
        }

        /** The rate of this kind for this client id, its own or the default; {@link ByteRates#UNLIMITED} for none. */
        long of(String clientId, Kind kind) {
            ByteRates own = ids.get(clientId);
            return own != null && own.of(kind) != ByteRates.UNLIMITED ? own.of(kind) : defaults.of(kind);
        }
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
