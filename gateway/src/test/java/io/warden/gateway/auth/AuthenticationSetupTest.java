package io.warden.gateway.auth;

import io.warden.gateway.config.AuthenticationConfig;
import io.warden.gateway.config.UpstreamSaslConfig;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

    /** Salts a client would be sent for an unknown name by a gateway set up with {@code environment}. */
    private static String unknownSalt(AuthenticationConfig config, Map<String, String> environment, String user) {
        return new String(AuthenticationSetup.fakeCredentials(config, environment::get)
                .credential(ScramMechanism.SCRAM_SHA_512, user).salt(), StandardCharsets.US_ASCII);
    }

    @Test
    void gatewaysSharingAnUnknownUserKeyGiveAnUnknownNameTheSameSalt() {
        AuthenticationConfig shared = new AuthenticationConfig(null, null, null, Duration.ZERO, Duration.ZERO, true, "WARDEN_UNKNOWN_USER_KEY");
        Map<String, String> fleet = Map.of("WARDEN_UNKNOWN_USER_KEY", "a key shared by the fleet");
        assertThat(unknownSalt(shared, fleet, "mallory")).as("a second gateway, or this one restarted")
                .isEqualTo(unknownSalt(shared, fleet, "mallory"))
                .isNotEqualTo(unknownSalt(shared, fleet, "trudy"))
                .isNotEqualTo(unknownSalt(shared, Map.of("WARDEN_UNKNOWN_USER_KEY", "another fleet's key"), "mallory"));
        AuthenticationConfig perProcess = new AuthenticationConfig(null, null, null, Duration.ZERO, Duration.ZERO, true);
        assertThat(unknownSalt(perProcess, Map.of(), "mallory")).isNotEqualTo(unknownSalt(perProcess, Map.of(), "mallory"));

        assertThatThrownBy(() -> unknownSalt(shared, Map.of("WARDEN_UNKNOWN_USER_KEY", "short-key"), "mallory"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("authentication.unknownUserKeyEnv: environment variable WARDEN_UNKNOWN_USER_KEY holds 9 characters;"
                        + " the key needs at least 16");
        assertThatThrownBy(() -> unknownSalt(shared, Map.of(), "mallory"))
                .hasMessage("authentication.unknownUserKeyEnv: environment variable WARDEN_UNKNOWN_USER_KEY is not set");
    }
}
