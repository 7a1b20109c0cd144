package io.warden.gateway.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShutdownConfigLoaderTest {

    private static final String BASE = "upstream: {bootstrapServers: [localhost:9093]}\nlisteners: [{brokerPorts: 9100-9199}]\n";

    private static WardenConfig parse(String extra) {
        return ConfigLoader.parse("w.yaml", BASE + extra);
    }

    @Test
    void drainsForThirtySecondsByDefault() {
        assertThat(parse("").shutdown().drainTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(parse("shutdown: {}").shutdown().drainTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void readsTheDrainTimeout() {
        assertThat(parse("shutdown: {drainTimeoutSeconds: 5}").shutdown().drainTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(parse("shutdown: {drainTimeoutSeconds: 0}").shutdown().drainTimeout()).isZero();
    }

    @Test
    void aNegativeDrainTimeoutIsRefused() {
        assertThatThrownBy(() -> parse("shutdown: {drainTimeoutSeconds: -1}"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("w.yaml: shutdown.drainTimeoutSeconds: expected an integer between 0 and 3600, got -1");
    }

    @Test
    void aDrainTimeoutThatIsNoNumberIsRefused() {
        assertThatThrownBy(() -> parse("shutdown: {drainTimeoutSeconds: soon}"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("w.yaml: shutdown.drainTimeoutSeconds: expected an integer between 0 and 3600, got 'soon'");
        assertThatThrownBy(() -> parse("shutdown: {drainTimeoutSeconds: 2.5}"))
                .hasMessage("w.yaml: shutdown.drainTimeoutSeconds: expected an integer between 0 and 3600, got '2.5'");
    }

    @Test
    void unknownKeysAndAWrongShapeAreRefused() {
        assertThatThrownBy(() -> parse("shutdown: {drainTimeout: 5}"))
                .hasMessage("w.yaml: shutdown.drainTimeout: unknown key; expected one of [drainTimeoutSeconds]");
        assertThatThrownBy(() -> parse("shutdown: 30"))
                .hasMessage("w.yaml: shutdown: expected a mapping (key: value), got '30'");
    }
}
