package io.warden.gateway.it;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The credential scan every test of this module runs under finds each kind of credential, at DEBUG too, and masks it. */
class NoSecretsInLogsTest {

    private static final Logger LOG = LogManager.getLogger("io.warden.gateway.scan");

    @Test
    void aPasswordATokenOrAKeyInTheLogFailsTheTestAndIsMasked() {
        NoSecretsInLogs.check("this test"); // attached, and nothing logged so far
        LOG.info("event=authenticated principal=\"User:alice\" mechanism=SCRAM-SHA-512");
        NoSecretsInLogs.check("this test"); // nothing to report

        LOG.debug("login with alice-secret");
        LOG.warn("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl refused");
        LOG.error("cannot read", new IllegalStateException("-----BEGIN PRIVATE KEY-----"));
        assertThatThrownBy(() -> NoSecretsInLogs.check("this test")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("during this test")
                .hasMessageContaining("DEBUG io.warden.gateway.scan login with <12 characters of a credential>")
                .hasMessageContaining("WARN io.warden.gateway.scan token <")
                .hasMessageContaining("ERROR io.warden.gateway.scan cannot read")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("alice-secret").doesNotContain("eyJhbGciOiJSUzI1NiJ9.")
                        .doesNotContain("BEGIN PRIVATE KEY"));
        NoSecretsInLogs.check("this test"); // reported once, then cleared
    }
}
