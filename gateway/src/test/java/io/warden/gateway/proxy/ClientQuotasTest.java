package io.warden.gateway.proxy;

import io.warden.gateway.config.QuotasConfig;
import io.warden.gateway.config.QuotasConfig.ByteRates;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which connections share a rate: a principal's whatever the client id, a client id's whatever the principal. */
class ClientQuotasTest {

    /** alice has a produce rate of her own; client id app a produce and a fetch rate. One-second samples, two of them. */
    static final QuotasConfig CONFIG = new QuotasConfig(ByteRates.NONE, Map.of("User:alice", new ByteRates(1000, ByteRates.UNLIMITED)),
            ByteRates.NONE, Map.of("app", new ByteRates(1000, 2000)), 2, Duration.ofSeconds(1));

    @Test
    void aPrincipalRateIsSharedOverItsClientIdsAndAClientIdRateOverItsPrincipals() {
        ClientQuotas quotas = ClientQuotas.of(CONFIG);
        ClientQuotas.Rates aliceApp = quotas.acquire("User:alice", "app");
        ClientQuotas.Rates aliceOther = quotas.acquire("User:alice", "other");
        ClientQuotas.Rates bobApp = quotas.acquire("User:bob", "app");
        assertThat(quotas.acquire("User:bob", "other")).as("no quota holds bob as other").isNull();

        // produce: alice's own rate, under either client id; bob as app is held by app's, which alice does not use
        assertThat(aliceApp.produced(3000)).isPositive();
        assertThat(aliceOther.produced(1)).as("alice's rate, already over").isPositive();
        assertThat(bobApp.produced(900)).as("app's produce rate, untouched by alice").isZero();

        // fetch: alice has no fetch rate of her own, so as app she shares app's with bob
        assertThat(bobApp.fetched(1500)).isZero();
        assertThat(aliceApp.fetched(1000)).as("app's fetch rate, over with bob's bytes").isPositive();
        assertThat(aliceApp.fetchMaxBytes()).isEqualTo(2000);
        assertThat(aliceOther.fetchMaxBytes()).as("no fetch quota for alice as other").isEqualTo(Integer.MAX_VALUE);

        quotas.release(aliceApp);
        quotas.release(aliceOther);
        quotas.release(bobApp);
    }
}
