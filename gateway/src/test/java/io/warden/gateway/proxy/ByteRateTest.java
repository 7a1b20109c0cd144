package io.warden.gateway.proxy;

import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Quota;
import org.apache.kafka.common.metrics.QuotaViolationException;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Rate;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.server.quota.QuotaUtils;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The rate and throttle time of Kafka's client quotas, on a clock the test moves. */
class ByteRateTest {

    static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void withinTheQuotaThereIsNoThrottle() {
        long t0 = 1_000 * SECOND;
        // Kafka measures over at least samples - 1 whole samples: 10 s of quota may arrive at once.
        assertThat(new ByteRate(1000, 11, SECOND, t0).record(10_000, t0)).isZero();
        ByteRate rate = new ByteRate(1000, 11, SECOND, t0);
        for (int s = 0; s <= 30; s++) {
            assertThat(rate.record(800, t0 + s * SECOND)).as("second %d", s).isZero();
        }
    }

    @Test
    void overTheQuotaTheThrottleIsKafkas() {
        long t0 = 1_000 * SECOND;
        ByteRate rate = new ByteRate(1000, 11, SECOND, t0);
        // 20000 bytes over a 10 s window: twice the quota, so the window would need to be 10 s longer.
        assertThat(rate.record(20_000, t0)).isEqualTo(10_000);
    }

    @Test
    void aBurstFarOverTheQuotaIsThrottledAsLongAsKafkaThrottlesIt() {
        // A 1 MB request against 10 kB/s, then another once the first has left the window: Kafka throttles each for as
        // long as the bytes need to fit the quota, which here is far longer than the window. Throttled for one window
        // only, the client could send 1 MB every 11 s, nine times its quota.
        long quota = 10_000;
        int samples = 11;
        KafkaQuota kafka = new KafkaQuota(quota, samples);
        long t0 = 1_000 * SECOND;
        ByteRate rate = new ByteRate(quota, samples, SECOND, t0);
        for (long at : new long[] {t0, t0 + 200 * SECOND}) {
            long kafkaMs = kafka.record(1_000_000, TimeUnit.NANOSECONDS.toMillis(at));
            assertThat(kafkaMs).as("Kafka's throttle time").isGreaterThan(samples * 1000L);
            assertThat(rate.record(1_000_000, at)).as("throttle time at %d s", at / SECOND).isEqualTo((int) kafkaMs);
        }
    }

    /** One principal's byte rate in Kafka's own metrics, and the throttle time Kafka's ClientQuotaManager gives over it. */
    private static final class KafkaQuota {
        private final ManualTime time = new ManualTime();
        private final Sensor sensor;

        KafkaQuota(long bytesPerSecond, int samples) {
            MetricConfig config = new MetricConfig().quota(Quota.upperBound(bytesPerSecond)).samples(samples)
                    .timeWindow(1, TimeUnit.SECONDS);
            Metrics metrics = new Metrics(new MetricConfig(), List.of(), time);
            sensor = metrics.sensor("byte-rate", config);
            sensor.add(metrics.metricName("byte-rate", "test"), new Rate());
        }

        long record(long bytes, long nowMs) {
            time.nowMs = nowMs;
            try {
                sensor.record(bytes, nowMs);
                return 0;
            } catch (QuotaViolationException e) {
                return QuotaUtils.throttleTime(e, nowMs);
            }
        }
    }

    private static final class ManualTime implements Time {
        long nowMs;

        @Override
        public long milliseconds() {
            return nowMs;
        }

        @Override
        public long nanoseconds() {
            return TimeUnit.MILLISECONDS.toNanos(nowMs);
        }

        @Override
        public void sleep(long ms) {
            nowMs += ms;
        }

        @Override
        public void waitObject(Object obj, java.util.function.Supplier<Boolean> condition, long deadlineMs) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void bytesThatEarnAThrottleAreTakenBackWhenTheyAreNotDelivered() {
        long t0 = 1_000 * SECOND;
        ByteRate rate = new ByteRate(1000, 2, SECOND, t0);
        assertThat(rate.recordIfWithin(800, t0)).isZero();
        // 1500 bytes over 1.1 s is over the quota: throttled, and the 700 bytes do not count...
        assertThat(rate.recordIfWithin(700, t0 + SECOND / 10)).isEqualTo(400);
        // ...so 200 more are within it, as they are in Kafka's sensor after unrecord.
        assertThat(rate.recordIfWithin(200, t0 + SECOND / 5)).isZero();
    }

    @Test
    void aWindowsWorthOfQuotaIsTheQuotaOverAllSamplesButOne() {
        // Kafka's ClientQuotaManager.getMaxValueInQuotaWindow: quota * (samples - 1) * sample length.
        assertThat(new ByteRate(65_536, 11, SECOND, 0).perWindow()).isEqualTo(655_360);
        assertThat(new ByteRate(1000, 2, 2 * SECOND, 0).perWindow()).isEqualTo(2000);
    }

    @Test
    void aShortWindowForgetsOldBytes() {
        long t0 = 1_000 * SECOND;
        ByteRate rate = new ByteRate(1000, 2, SECOND, t0);
        // 3000 bytes in a window of at least 1 s: (3000 - 1000) / 1000 * 1 s.
        assertThat(rate.record(3000, t0)).isEqualTo(2000);
        assertThat(rate.idle(t0 + SECOND)).isFalse();
        // Two samples later the burst is out of the window.
        assertThat(rate.idle(t0 + 2 * SECOND)).isTrue();
        assertThat(rate.record(500, t0 + 2 * SECOND)).isZero();
    }
}
