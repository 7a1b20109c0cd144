package io.warden.gateway.proxy;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Admission by connection counts and by connection creation rate per IP (KIP-612), on a clock the test moves. */
class ConnectionAdmissionTest {

    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void connectionsOverTheCreationRateAreRefusedForThatIpOnly() {
        GatewayStats stats = new GatewayStats();
        long t0 = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            assertThat(stats.admit("10.0.0.1", 100, 100, 5, t0 + i * MS)).isNull();
            stats.release("10.0.0.1");
        }
        assertThat(stats.admit("10.0.0.1", 100, 100, 5, t0 + 10 * MS)).isEqualTo("creation_rate");
        assertThat(stats.admit("10.0.0.2", 100, 100, 5, t0 + 10 * MS)).as("another IP").isNull();
        assertThat(stats.refusedByLimit("creation_rate")).isEqualTo(1);
        // Refusals do not count: half a window later the previous window's five weigh 2.5, so 3 more fit (4.5 < 5).
        long later = t0 + 1500 * MS;
        for (int i = 0; i < 3; i++) {
            assertThat(stats.admit("10.0.0.1", 100, 100, 5, later)).isNull();
        }
        assertThat(stats.admit("10.0.0.1", 100, 100, 5, later)).isEqualTo("creation_rate");
        // A whole quiet window later, the full rate again.
        long quiet = t0 + 3500 * MS;
        for (int i = 0; i < 5; i++) {
            assertThat(stats.admit("10.0.0.1", 100, 100, 5, quiet)).isNull();
        }
        assertThat(stats.admit("10.0.0.1", 100, 100, 5, quiet)).isEqualTo("creation_rate");
        assertThat(stats.refusedByLimit("creation_rate")).isEqualTo(3);
        assertThat(stats.refusedByLimit("per_ip")).isZero();
    }

    @Test
    void zeroMeansNoCreationRateLimit() {
        GatewayStats stats = new GatewayStats();
        long t0 = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            assertThat(stats.admit("10.0.0.1", 10_000, 10_000, 0, t0)).isNull();
        }
    }

    @Test
    void ipsWithNoConnectionsAreForgottenOnceTheirWindowHasPassed() {
        GatewayStats stats = new GatewayStats();
        long t0 = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            String ip = "10.0." + (i / 250) + "." + (i % 250);
            assertThat(stats.admit(ip, 10_000, 10, 100, t0)).isNull();
            stats.release(ip);
        }
        assertThat(stats.trackedIps()).as("still inside the rate window").isEqualTo(1000);
        // The next admission after the sweep interval drops every idle entry.
        assertThat(stats.admit("10.1.0.1", 10_000, 10, 100, t0 + 11_000 * MS)).isNull();
        assertThat(stats.trackedIps()).isEqualTo(1);
        stats.release("10.1.0.1");
    }

    @Test
    void countLimitsStillApply() {
        GatewayStats stats = new GatewayStats();
        long t0 = System.nanoTime();
        assertThat(stats.admit("10.0.0.1", 2, 1, 100, t0)).isNull();
        assertThat(stats.admit("10.0.0.1", 2, 1, 100, t0)).isEqualTo("per_ip");
        assertThat(stats.admit("10.0.0.2", 2, 1, 100, t0)).isNull();
        assertThat(stats.admit("10.0.0.3", 2, 1, 100, t0)).isEqualTo("total");
    }
}
