package io.warden.gateway.config;

import io.warden.certs.CertificateFiles;
import io.warden.certs.CertificateIssuer;
import io.warden.certs.IssuedCertificate;
import io.warden.certs.KeyType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The admin section: its listener, who may use it, what /metrics records, and a precise error for each mistake. */
class AdminConfigLoaderTest {

    @TempDir
    Path dir;

    private AdminConfig load(String admin) throws Exception {
        Files.writeString(dir.resolve("jwks.json"), "{\"keys\": []}");
        return ConfigLoader.parse("w.yaml", "listeners: [{brokerPorts: 9100-9149}]\nupstream: {bootstrapServers: [k:9092]}\n"
                + "admin:\n  port: 9180\n  jwt: {jwksFile: jwks.json, issuer: https://idp, audience: warden-admin}\n" + admin, dir).admin();
    }

    @Test
    void metricsAreOnWithCappedSeriesUnlessConfigured() throws Exception {
        AdminConfig defaults = load("");
        assertThat(defaults.metrics()).isEqualTo(MetricsConfig.DEFAULT);
        assertThat(defaults.metrics().enabled()).isTrue();
        assertThat(defaults.metrics().maxTopicSeries()).isEqualTo(100);
        assertThat(defaults.bindHost()).isEqualTo("127.0.0.1");

        MetricsConfig m = load("  metrics: {enabled: false, maxTopicSeries: 5, maxPrincipalSeries: 0}\n").metrics();
        assertThat(m).isEqualTo(new MetricsConfig(false, 5, 0, false));
    }

    /** Its series name topics and principals, so beyond loopback only admins read /metrics unless told otherwise. */
    @Test
    void metricsNeedAuthenticationBeyondLoopbackUnlessSetToNone() throws Exception {
        IssuedCertificate ca = CertificateIssuer.createCa("CA", Duration.ofDays(1), KeyType.EC_P256);
        IssuedCertificate server = CertificateIssuer.issueServer(ca, "s", List.of("localhost"), List.of(), Duration.ofDays(1), KeyType.EC_P256);
        CertificateFiles.writeCertificates(dir.resolve("s.crt"), server.chain(), true);
        CertificateFiles.writePrivateKey(dir.resolve("s.key"), server.privateKey(), true);
        assertThat(load("").metrics().authenticated()).isFalse();
        assertThat(load("  metrics: {authentication: required}\n").metrics().authenticated()).isTrue();
        String beyond = "  bindHost: 0.0.0.0\n  tls: {certificate: s.crt, key: s.key}\n";
        assertThat(load(beyond).metrics().authenticated()).isTrue();
        assertThat(load(beyond + "  metrics: {authentication: none}\n").metrics().authenticated()).isFalse();

        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", "listeners: [{brokerPorts: 9100-9149}]\n"
                + "upstream: {bootstrapServers: [k:9092]}\nadmin:\n  port: 9180\n" + beyond, dir))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.metrics.authentication: is required (the default beyond loopback, bindHost 0.0.0.0)")
                .hasMessageContaining("admin.jwt or admin.certificateRoles").hasMessageContaining("set it to none");
        assertThatThrownBy(() -> load("  metrics: {authentication: sometimes}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admin.metrics.authentication: expected required or none");
    }

    @Test
    void badMetricsSettingsNameTheKey() {
        assertThatThrownBy(() -> load("  metrics: {enabled: sometimes}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admin.metrics.enabled");
        assertThatThrownBy(() -> load("  metrics: {maxTopicSeries: -1}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admin.metrics.maxTopicSeries")
                .hasMessageContaining("between 0 and 10000");
        assertThatThrownBy(() -> load("  metrics: {maxPrincipalSeries: many}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admin.metrics.maxPrincipalSeries");
        assertThatThrownBy(() -> load("  metrics: {perTopic: true}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admin.metrics").hasMessageContaining("perTopic");
        assertThatThrownBy(() -> load("  metrics: true\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admin.metrics");
    }

    @Test
    void withoutAdminAuthenticationOnlyHealthAndMetricsAreServed() {
        AdminConfig metricsOnly = ConfigLoader.parse("w.yaml", "listeners: [{brokerPorts: 9100-9149}]\n"
                + "upstream: {bootstrapServers: [k:9092]}\nadmin: {port: 9180}\n", dir).admin();
        assertThat(metricsOnly.jwt()).isNull();
        assertThat(metricsOnly.certificateRoles()).isEmpty();
    }

    @Test
    void anAdminApiBeyondLoopbackNeedsTls() {
        assertThatThrownBy(() -> load("  bindHost: 0.0.0.0\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admin.tls").hasMessageContaining("beyond loopback");
    }

    @Test
    void aHostNameThatMerelyStartsLikeALoopbackAddressIsBeyondLoopback() throws Exception {
        // Only an address in 127.0.0.0/8, ::1 or localhost is loopback: a DNS name such as 127.example.com may be any
        // address, and must not get plain HTTP and an open /metrics.
        assertThatThrownBy(() -> load("  bindHost: 127.example.com\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admin.tls").hasMessageContaining("beyond loopback");
        assertThat(load("  bindHost: 127.0.0.2\n").metrics().authenticated()).isFalse();
    }

    @Test
    void theAdminPortMayNotBeAListenersPort() {
        String listeners = "listeners: [{name: plain, bootstrapPort: 9092, brokerPorts: 9100-9199},"
                + " {name: other, bootstrapPort: 9094, brokerPorts: 9200-9299}]\nupstream: {bootstrapServers: [k:9092]}\n";
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", listeners + "admin: {port: 9094}\n", dir))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.port: 9094 is the bootstrapPort of listeners[1] 'other'");
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", listeners + "admin: {port: 9150}\n", dir))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.port: 9150 is in the brokerPorts of listeners[0] 'plain'");
    }
}
