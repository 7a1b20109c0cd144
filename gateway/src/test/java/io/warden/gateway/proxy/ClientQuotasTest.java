package io.warden.gateway.proxy;

import io.warden.gateway.config.QuotasConfig;
import io.warden.gateway.config.QuotasConfig.ByteRates;
import io.warden.gateway.config.QuotasConfig.ClientRates;
import io.warden.gateway.config.QuotasConfig.PrincipalRates;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which connections share a rate: a principal's whatever the client id, a client id's whatever the principal, a
 * principal's with a client id only those of that principal with that client id.
 */
class ClientQuotasTest {

    /** alice has a produce rate of her own; client id app a produce and a fetch rate. One-second samples, two of them. */
    static final QuotasConfig CONFIG = new QuotasConfig(PrincipalRates.NONE,
            Map.of("User:alice", new PrincipalRates(new ByteRates(1000, ByteRates.UNLIMITED), ClientRates.NONE)),
            new ClientRates(ByteRates.NONE, Map.of("app", new ByteRates(1000, 2000))), 2, Duration.ofSeconds(1));

    @Test
    void aPrincipalRateIsSharedOverItsClientIdsAndAClientIdRateOverItsPrincipals() {
        ClientQuotas quotas = new ClientQuotas(CONFIG);
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

    /**
     * Rates by principal and client id: each pair has its own, from the principal's own rate for the client id or from
     * a default (the principal's default client-id rate, the default principal's), and none is shared with the
     * principal's other client ids or the client id's other principals.
     */
    @Test
    void aPrincipalAndClientIdRateIsSharedOnlyByThatPair() {
        QuotasConfig config = new QuotasConfig(
                new PrincipalRates(ByteRates.NONE, new ClientRates(new ByteRates(2000, ByteRates.UNLIMITED), Map.of())),
                Map.of("User:alice", new PrincipalRates(ByteRates.NONE, new ClientRates(ByteRates.NONE, Map.of("app", new ByteRates(500, 0))))),
                ClientRates.NONE, 2, Duration.ofSeconds(1));
        ClientQuotas quotas = new ClientQuotas(config);
        ClientQuotas.Rates aliceApp = quotas.acquire("User:alice", "app");
        ClientQuotas.Rates aliceApp2 = quotas.acquire("User:alice", "app");
        ClientQuotas.Rates aliceOther = quotas.acquire("User:alice", "other");
        ClientQuotas.Rates bobApp = quotas.acquire("User:bob", "app");
        ClientQuotas.Rates bobOther = quotas.acquire("User:bob", "other");

        assertThat(aliceApp.produced(1500)).as("alice as app: 500 B/s, measured over one second at least").isPositive();
        assertThat(aliceApp2.produced(1)).as("the same pair shares it").isPositive();
        assertThat(aliceOther.produced(1500)).as("alice as other: the default principal's default client-id rate, her own").isZero();
        assertThat(bobApp.produced(1500)).as("bob as app: his own, untouched by alice as app").isZero();
        assertThat(bobOther.produced(1500)).as("bob as other: his own again").isZero();
        assertThat(bobOther.produced(1000)).as("and over with his own bytes").isPositive();
        assertThat(aliceApp.fetchMaxBytes()).as("no fetch rate anywhere").isEqualTo(Integer.MAX_VALUE);

        for (ClientQuotas.Rates rates : new ClientQuotas.Rates[] {aliceApp, aliceApp2, aliceOther, bobApp, bobOther}) {
            quotas.release(rates);
        }
    }

    /**
     * New quotas: a connection's rates stay as taken until it takes them again; a rate whose quota is unchanged is the
     * same rate, with what it measured, and a changed one starts afresh; no quotas, no rates.
     */
    @Test
    void newQuotasAreTakenAtTheNextAcquireKeepingWhatUnchangedRatesMeasured() {
        ClientQuotas quotas = new ClientQuotas(CONFIG);
        int first = quotas.generation();
        ClientQuotas.Rates held = quotas.acquire("User:alice", "app");
        assertThat(held.produced(900)).isZero();
        assertThat(held.fetched(1900)).isZero();

        // alice's produce rate is unchanged; app's fetch rate is doubled
        quotas.reconfigure(new QuotasConfig(PrincipalRates.NONE,
                Map.of("User:alice", new PrincipalRates(new ByteRates(1000, ByteRates.UNLIMITED), ClientRates.NONE)),
                new ClientRates(ByteRates.NONE, Map.of("app", new ByteRates(1000, 4000))), 2, Duration.ofSeconds(1)));
        assertThat(quotas.generation()).isNotEqualTo(first);
        assertThat(held.fetchMaxBytes()).as("taken before the change").isEqualTo(2000);
        quotas.release(held);
        ClientQuotas.Rates again = quotas.acquire("User:alice", "app");
        assertThat(again.fetchMaxBytes()).isEqualTo(4000);
        assertThat(again.produced(200)).as("alice's unchanged rate, with the 900 bytes it measured").isPositive();
        assertThat(again.fetched(2000)).as("app's new rate, measured afresh").isZero();
        quotas.release(again);

        quotas.reconfigure(null);
        assertThat(quotas.config()).isNull();
        assertThat(quotas.acquire("User:alice", "app")).isNull();
    }
}
