package io.warden.gateway.config;

import java.util.List;

/** The whole gateway configuration, validated at load by {@link ConfigLoader}. */
public record WardenConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, LimitsConfig limits) {

    public WardenConfig {
        listeners = List.copyOf(listeners);
    }
}
