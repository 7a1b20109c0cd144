package io.warden.gateway.auth;

import io.warden.gateway.config.UpstreamSaslConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The gateway's own upstream login: its password read from the environment at start, and what is said when it is missing. */
class AuthenticationSetupTest {

    private static final UpstreamSaslConfig FROM_ENV =
            new UpstreamSaslConfig("SCRAM-SHA-512", "warden", new UpstreamSaslConfig.EnvironmentPassword("WARDEN_PASSWORD"));

    @Test
    void anUnsetAndAnEmptyPasswordVariableAreEachNamedForWhatTheyAre() {
        assertThatThrownBy(() -> AuthenticationSetup.upstreamIdentity(FROM_ENV, Map.<String, String>of()::get))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("upstream.sasl.passwordEnv: environment variable WARDEN_PASSWORD is not set");
        assertThatThrownBy(() -> AuthenticationSetup.upstreamIdentity(FROM_ENV, Map.of("WARDEN_PASSWORD", "")::get))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("upstream.sasl.passwordEnv: environment variable WARDEN_PASSWORD is empty");
        assertThat(AuthenticationSetup.upstreamIdentity(FROM_ENV, Map.of("WARDEN_PASSWORD", "s3cret!")::get).username())
                .isEqualTo("warden");
    }
}
