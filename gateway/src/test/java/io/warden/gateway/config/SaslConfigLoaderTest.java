package io.warden.gateway.config;

import io.warden.certs.CertificateFiles;
import io.warden.certs.CertificateIssuer;
import io.warden.certs.IssuedCertificate;
import io.warden.certs.KeyType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SASL settings: listeners, the user stores, OAUTHBEARER and the gateway's own upstream login. */
class SaslConfigLoaderTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void files() throws Exception {
        Duration d = Duration.ofDays(30);
        IssuedCertificate ca = CertificateIssuer.createCa("CA", d, KeyType.EC_P256);
        IssuedCertificate server = CertificateIssuer.issueServer(ca, "s", List.of("localhost"), List.of(), d, KeyType.EC_P256);
        CertificateFiles.writeCertificates(dir.resolve("server.crt"), server.chain(), true);
        CertificateFiles.writePrivateKey(dir.resolve("server.key"), server.privateKey(), true);
        Files.writeString(dir.resolve("users.txt"), "# no users yet\n");
        Files.writeString(dir.resolve("jwks.json"), "{\"keys\": []}");
    }

    private static WardenConfig load(String listener, String rest) {
        return ConfigLoader.parse("w.yaml", """
                upstream: {bootstrapServers: [k:9092]}
                listeners:
                  - brokerPorts: 9100-9109
                    %s
                %s
                """.formatted(listener, rest), dir);
    }

    private static final String TLS = "tls: {certificate: server.crt, key: server.key}";

    @Test
    void aSaslSslListenerWithALocalUserFile() {
        WardenConfig c = load(TLS + "\n    sasl: {mechanisms: [SCRAM-SHA-256, PLAIN]}", "authentication: {users: {file: users.txt}}");
        ListenerConfig l = c.listeners().get(0);
        assertThat(l.securityProtocol()).isEqualTo("SASL_SSL");
        assertThat(l.sasl().mechanisms()).containsExactly("SCRAM-SHA-256", "PLAIN");
        assertThat(c.authentication().usersFile()).isEqualTo(dir.resolve("users.txt"));
        assertThat(c.authentication().failureDelay()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.authentication().maxSessionLifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(c.authentication().allowLegacyScramNonce()).isTrue();
    }

    @Test
    void saslWithoutTlsMustBeAskedForAndNeverCarriesPlain() {
        assertThatThrownBy(() -> load("sasl: {mechanisms: [SCRAM-SHA-512]}", "authentication: {users: {file: users.txt}}"))
                .hasMessage("w.yaml: listeners[0].sasl: SASL without TLS sends credentials in the clear; add a tls block "
                        + "(SASL_SSL), or set allowPlaintext: true to run SASL_PLAINTEXT deliberately");
        assertThat(load("sasl: {allowPlaintext: true}", "authentication: {users: {file: users.txt}}")
                .listeners().get(0).securityProtocol()).isEqualTo("SASL_PLAINTEXT");
        assertThatThrownBy(() -> load("sasl: {mechanisms: [PLAIN], allowPlaintext: true}", "authentication: {users: {file: users.txt}}"))
                .hasMessageContaining("listeners[0].sasl.mechanisms[0]: PLAIN sends the password itself");
    }

    @Test
    void unknownMechanismsAndMissingStoresAreNamed() {
        assertThatThrownBy(() -> load(TLS + "\n    sasl: {mechanisms: [GSSAPI]}", "authentication: {users: {file: users.txt}}"))
                .hasMessageContaining("listeners[0].sasl.mechanisms[0]: unknown SASL mechanism 'GSSAPI'");
        assertThatThrownBy(() -> load(TLS + "\n    sasl: {mechanisms: [SCRAM-SHA-512]}", ""))
                .hasMessageContaining("SCRAM-SHA-512 needs a user store: authentication.users.file or authentication.users.secretsManager");
        assertThatThrownBy(() -> load(TLS + "\n    sasl: {mechanisms: [OAUTHBEARER]}", "authentication: {users: {file: users.txt}}"))
                .hasMessageContaining("OAUTHBEARER needs authentication.oauthBearer");
        assertThatThrownBy(() -> load(TLS, "authentication: {users: {file: users.txt, secretsManager: {region: eu-west-1}}}"))
                .hasMessageContaining("authentication.users: give exactly one of file");
        assertThatThrownBy(() -> load(TLS, "authentication: {users: {file: missing.txt}}"))
                .hasMessageContaining("authentication.users.file: " + dir.resolve("missing.txt") + ": file not found");
    }

    @Test
    void secretsManagerSettings() {
        WardenConfig c = load(TLS + "\n    sasl: {}", """
                authentication:
                  users:
                    secretsManager: {region: eu-west-1, refreshSeconds: 60, secretNames: [AmazonMSK_alice]}
                  sessionLifetimeSeconds: 0
                """);
        assertThat(c.authentication().secretsManager().region()).isEqualTo("eu-west-1");
        assertThat(c.authentication().secretsManager().refreshInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.authentication().secretsManager().secretNames()).containsExactly("AmazonMSK_alice");
        assertThat(c.authentication().maxSessionLifetime()).isZero();
        assertThatThrownBy(() -> load(TLS, "authentication: {users: {secretsManager: {refreshSeconds: 60}}}"))
                .hasMessageContaining("authentication.users.secretsManager.region: is required");
        assertThatThrownBy(() -> load(TLS, "authentication: {users: {secretsManager: {region: x, iterations: 100}}}"))
                .hasMessageContaining("authentication.users.secretsManager.iterations: expected an integer between 4096 and 16384, got 100");
    }

    /** With secretNames the prefix is not used: both given would leave a namePrefix that silently does nothing. */
    @Test
    void secretsManagerTakesNamePrefixOrSecretNamesNotBoth() {
        assertThatThrownBy(() -> load(TLS, "authentication: {users: {secretsManager: {region: eu-west-1, namePrefix: Warden_, "
                + "secretNames: [AmazonMSK_alice]}}}"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("w.yaml: authentication.users.secretsManager: give namePrefix or secretNames, not both: "
                        + "secretNames reads exactly those secrets, whatever their prefix");
        assertThat(load(TLS, "authentication: {users: {secretsManager: {region: eu-west-1, namePrefix: Warden_}}}")
                .authentication().secretsManager().namePrefix()).isEqualTo("Warden_");
    }

    @Test
    void oauthBearerNeedsHttpsOrAFileAndNoHmac() {
        WardenConfig c = load(TLS + "\n    sasl: {mechanisms: [OAUTHBEARER]}",
                "authentication: {oauthBearer: {jwksFile: jwks.json, issuer: https://idp, audience: kafka}}");
        assertThat(c.authentication().oauthBearer().jwksFile()).isEqualTo(dir.resolve("jwks.json"));
        assertThatThrownBy(() -> load(TLS, "authentication: {oauthBearer: {jwksUrl: \"http://idp/jwks\", issuer: i, audience: a}}"))
                .hasMessageContaining("authentication.oauthBearer.jwksUrl: must be an https URL");
        assertThatThrownBy(() -> load(TLS, "authentication: {oauthBearer: {jwksFile: jwks.json, issuer: i, audience: a, algorithms: [HS256]}}"))
                .hasMessageContaining("authentication.oauthBearer:").hasMessageContaining("HS256");
        assertThatThrownBy(() -> load(TLS, "authentication: {oauthBearer: {jwksFile: jwks.json, audience: a}}"))
                .hasMessageContaining("authentication.oauthBearer.issuer: is required");
    }

    @Test
    void upstreamSaslTakesExactlyOnePasswordSourceAndNeverShowsIt() {
        WardenConfig c = ConfigLoader.parse("w.yaml", """
                listeners: [{brokerPorts: 9100-9199}]
                upstream:
                  bootstrapServers: [k:9092]
                  sasl: {username: warden, password: "s3cret!"}
                """, dir);
        assertThat(c.upstream().sasl().mechanism()).isEqualTo("SCRAM-SHA-512");
        assertThat(c.upstream().sasl().toString()).doesNotContain("s3cret!");
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", """
                upstream:
                  bootstrapServers: [k:9092]
                  sasl: {username: warden, password: a, passwordEnv: B}
                """, dir)).hasMessage("w.yaml: upstream.sasl: give exactly one of password, passwordEnv or passwordSecret");
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", """
                upstream:
                  bootstrapServers: [k:9092]
                  sasl: {username: warden, passwordEnv: WARDEN_TEST_UNSET_VARIABLE}
                """, dir)).hasMessage("w.yaml: upstream.sasl.passwordEnv: environment variable WARDEN_TEST_UNSET_VARIABLE is not set");
        // The password itself, put where its variable's name belongs, is not shown.
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", """
                upstream:
                  bootstrapServers: [k:9092]
                  sasl: {username: warden, passwordEnv: "s3cret-Passw0rd!"}
                """, dir)).hasMessageStartingWith("w.yaml: upstream.sasl.passwordEnv: the environment variable named")
                .hasMessageEndingWith(" is not set").message().doesNotContain("s3cret-Passw0rd!");
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", """
                upstream:
                  bootstrapServers: [k:9092]
                  sasl: {username: warden, passwordEnv: WARDEN_PASSWORD}
                """, dir, Map.of("WARDEN_PASSWORD", "")::get))
                .as("an empty password, which the gateway would refuse at start, is refused by check-config too")
                .hasMessage("w.yaml: upstream.sasl.passwordEnv: environment variable WARDEN_PASSWORD is empty");
        for (String key : List.of("secretRegion: eu-west-1", "secretEndpoint: \"https://vpce.example\"")) {
            assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", """
                    listeners: [{brokerPorts: 9100-9199}]
                    upstream:
                      bootstrapServers: [k:9092]
                      sasl: {username: warden, passwordEnv: WARDEN_PASSWORD, %s}
                    """.formatted(key), dir, Map.of("WARDEN_PASSWORD", "p")::get))
                    .as("%s without passwordSecret would be silently ignored", key)
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("w.yaml: upstream.sasl." + key.substring(0, key.indexOf(':'))
                            + ": applies only with passwordSecret (the password is read from Secrets Manager only then)");
        }
        assertThat(ConfigLoader.parse("w.yaml", """
                listeners: [{brokerPorts: 9100-9199}]
                upstream:
                  bootstrapServers: [k:9092]
                  sasl: {username: warden, passwordSecret: AmazonMSK_warden, secretRegion: eu-west-1, secretEndpoint: "https://vpce.example"}
                """, dir).upstream().sasl().password()).isInstanceOf(UpstreamSaslConfig.SecretPassword.class);
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", """
                upstream:
                  bootstrapServers: [k:9092]
                  sasl: {mechanism: GSSAPI, username: warden, password: a}
                """, dir)).hasMessageContaining("upstream.sasl.mechanism: expected SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN");
    }

    /** As on the listeners: PLAIN would send the gateway's own password in clear to every broker. */
    @Test
    void upstreamPlainNeedsUpstreamTls() {
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", """
                listeners: [{brokerPorts: 9100-9199}]
                upstream:
                  bootstrapServers: [k:9092]
                  sasl: {mechanism: PLAIN, username: warden, password: "s3cret!"}
                """, dir)).hasMessage("w.yaml: upstream.sasl.mechanism: PLAIN sends the password itself; it is allowed only with "
                + "upstream.tls (or use SCRAM-SHA-512 or SCRAM-SHA-256)");
        WardenConfig overTls = ConfigLoader.parse("w.yaml", """
                listeners: [{brokerPorts: 9100-9199}]
                upstream:
                  bootstrapServers: [k:9093]
                  tls: {trustedCertificates: server.crt}
                  sasl: {mechanism: PLAIN, username: warden, password: "s3cret!"}
                """, dir);
        assertThat(overTls.upstream().sasl().mechanism()).isEqualTo("PLAIN");
    }

    @Test
    void anUnknownUserKeyIsReadFromTheEnvironmentAndNeverShown() {
        String yaml = """
                upstream: {bootstrapServers: [k:9092]}
                listeners:
                  - brokerPorts: 9100-9109
                    tls: {certificate: server.crt, key: server.key}
                    sasl: {mechanisms: [SCRAM-SHA-512]}
                authentication: {users: {file: users.txt}, unknownUserKeyEnv: WARDEN_UNKNOWN_USER_KEY}
                """;
        WardenConfig c = ConfigLoader.parse("w.yaml", yaml, dir, Map.of("WARDEN_UNKNOWN_USER_KEY", "0123456789abcdef")::get);
        assertThat(c.authentication().unknownUserKeyEnv()).isEqualTo("WARDEN_UNKNOWN_USER_KEY");
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", yaml, dir, Map.of("WARDEN_UNKNOWN_USER_KEY", "letmein")::get))
                .hasMessage("w.yaml: authentication.unknownUserKeyEnv: environment variable WARDEN_UNKNOWN_USER_KEY holds 7"
                        + " characters; the key needs at least 16")
                .hasMessageNotContaining("letmein");
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", yaml, dir, Map.<String, String>of()::get))
                .hasMessageEndingWith("environment variable WARDEN_UNKNOWN_USER_KEY is not set");
        assertThat(load(TLS + "\n    sasl: {mechanisms: [PLAIN]}", "authentication: {users: {file: users.txt}}")
                .authentication().unknownUserKeyEnv()).isNull();
    }
}
