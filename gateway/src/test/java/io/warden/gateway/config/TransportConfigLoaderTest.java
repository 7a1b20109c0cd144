package io.warden.gateway.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransportConfigLoaderTest {

    private static final String BASE = "upstream: {bootstrapServers: [localhost:9093]}\nlisteners: [{brokerPorts: 9100-9199}]\n";

    private static WardenConfig parse(String extra) {
        return ConfigLoader.parse("w.yaml", BASE + extra);
    }

    @Test
    void picksTheTransportAutomaticallyByDefault() {
        assertThat(parse("").transport()).isEqualTo(NetworkTransport.AUTO);
    }

    @Test
    void readsEachTransport() {
        assertThat(parse("transport: auto").transport()).isEqualTo(NetworkTransport.AUTO);
        assertThat(parse("transport: epoll").transport()).isEqualTo(NetworkTransport.EPOLL);
        assertThat(parse("transport: nio").transport()).isEqualTo(NetworkTransport.NIO);
    }

    @Test
    void anUnknownTransportOrAWrongShapeIsRefused() {
        assertThatThrownBy(() -> parse("transport: io_uring"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("w.yaml: transport: expected auto, epoll or nio, got 'io_uring'");
        assertThatThrownBy(() -> parse("transport: EPOLL"))
                .hasMessage("w.yaml: transport: expected auto, epoll or nio, got 'EPOLL'");
        assertThatThrownBy(() -> parse("transport: [epoll]"))
                .hasMessage("w.yaml: transport: expected auto, epoll or nio, got a list");
    }
}
