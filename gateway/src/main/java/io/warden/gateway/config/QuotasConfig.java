package io.warden.gateway.config;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Per-principal byte-rate quotas, as Kafka's client quotas (KIP-13) apply them to users: each principal's produce and
 * fetch traffic through this gateway, over all its connections, is measured over a sliding window of samples, and a
 * principal above its rate gets a throttle time in its responses and has its connections muted for that long
 * (KIP-219).
 *
 * @param defaults      the rates of every principal without its own entry (or for the kinds its entry leaves out)
 * @param principals    rates by principal ({@code User:alice}); a kind an entry leaves out is the default's
 * @param windowSamples how many samples the rate is measured over (Kafka's {@code quota.window.num})
 * @param sampleLength  how long each sample lasts (Kafka's {@code quota.window.size.seconds})
 */
public record QuotasConfig(ByteRates defaults, Map<String, ByteRates> principals, int windowSamples, Duration sampleLength) {

    public static final int DEFAULT_WINDOW_SAMPLES = 11;
    public static final Duration DEFAULT_SAMPLE_LENGTH = Duration.ofSeconds(1);

    public QuotasConfig {
        Objects.requireNonNull(defaults, "defaults");
        principals = Map.copyOf(principals);
        if (windowSamples < 2) {
            throw new IllegalArgumentException("windowSamples must be at least 2");
        }
    }

    /** The rates that apply to {@code principal}: its own, each kind it leaves out taken from the defaults. */
    public ByteRates ratesOf(String principal) {
        ByteRates own = principals.get(principal);
        return own == null ? defaults : own.orElse(defaults);
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

        /** These rates, each unlimited kind taken from {@code fallback}. */
        public ByteRates orElse(ByteRates fallback) {
            return new ByteRates(produceBytesPerSecond == UNLIMITED ? fallback.produceBytesPerSecond : produceBytesPerSecond,
                    fetchBytesPerSecond == UNLIMITED ? fallback.fetchBytesPerSecond : fetchBytesPerSecond);
        }

        public boolean unlimited() {
            return produceBytesPerSecond == UNLIMITED && fetchBytesPerSecond == UNLIMITED;
        }
    }
}
