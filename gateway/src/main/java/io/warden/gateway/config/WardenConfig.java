package io.warden.gateway.config;

import java.util.List;

/**
 * The whole gateway configuration, validated at load by {@link ConfigLoader}. {@code authentication} is null when no
 * listener uses SASL.
 */
public record WardenConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, LimitsConfig limits,
                           AuthenticationConfig authentication) {

    public WardenConfig {
        listeners = List.copyOf(listeners);
    }

    /** A configuration without SASL listeners. */
    public WardenConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, LimitsConfig limits) {
        this(listeners, upstream, limits, null);
    }
}
