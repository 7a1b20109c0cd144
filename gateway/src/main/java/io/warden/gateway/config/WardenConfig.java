package io.warden.gateway.config;

import java.util.List;

/**
 * The whole gateway configuration, validated at load by {@link ConfigLoader}. {@code authentication} is null when no
 * listener uses SASL; {@code authorization} is null when requests are not checked against a policy; {@code audit} is null
 * when nothing is audited.
 */
public record WardenConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, LimitsConfig limits,
                           AuthenticationConfig authentication, AuthorizationConfig authorization, AuditConfig audit) {

    public WardenConfig {
        listeners = List.copyOf(listeners);
    }

    /** A configuration without auditing. */
    public WardenConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, LimitsConfig limits,
                        AuthenticationConfig authentication, AuthorizationConfig authorization) {
        this(listeners, upstream, limits, authentication, authorization, null);
    }

    /** A configuration without SASL listeners. */
    public WardenConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, LimitsConfig limits) {
        this(listeners, upstream, limits, null, null);
    }

    /** A configuration without ACL enforcement. */
    public WardenConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, LimitsConfig limits,
                        AuthenticationConfig authentication) {
        this(listeners, upstream, limits, authentication, null);
    }
}
