package io.warden.gateway.proxy;

import org.junit.jupiter.api.Test;

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
    void overTheQuotaTheThrottleIsKafkasAndBounded() {
        long t0 = 1_000 * SECOND;
        ByteRate rate = new ByteRate(1000, 11, SECOND, t0);
        // 20000 bytes over a 10 s window: twice the quota, so the window would need to be 10 s longer.
        assertThat(rate.record(20_000, t0)).isEqualTo(10_000);
        // However far over, at most the whole window (11 samples of 1 s).
        assertThat(rate.record(10_000_000, t0 + 1)).isEqualTo(11_000);
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
