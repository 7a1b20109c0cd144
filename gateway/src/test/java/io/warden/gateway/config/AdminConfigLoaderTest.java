package io.warden.gateway.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The admin section: its listener, who may use it, what /metrics records, and a precise error for each mistake. */
class AdminConfigLoaderTest {

    @TempDir
    Path dir;

    private AdminConfig load(String admin) throws Exception {
        Files.writeString(dir.resolve("jwks.json"), "{\"keys\": []}");
        return ConfigLoader.parse("w.yaml", "listeners: [{brokerPorts: 9100-9199}]\nupstream: {bootstrapServers: [k:9092]}\n"
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
        assertThat(m).isEqualTo(new MetricsConfig(false, 5, 0));
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
        AdminConfig metricsOnly = ConfigLoader.parse("w.yaml", "listeners: [{brokerPorts: 9100-9199}]\n"
                + "upstream: {bootstrapServers: [k:9092]}\nadmin: {port: 9180}\n", dir).admin();
        assertThat(metricsOnly.jwt()).isNull();
        assertThat(metricsOnly.certificateRoles()).isEmpty();
    }

    @Test
    void anAdminApiBeyondLoopbackNeedsTls() {
        assertThatThrownBy(() -> load("  bindHost: 0.0.0.0\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admin.tls").hasMessageContaining("beyond loopback");
    }
}
