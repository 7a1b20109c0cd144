package io.warden.gateway.config;

import java.util.List;

/**
 * The whole gateway configuration, validated at load by {@link ConfigLoader}. {@code authentication} is null when no
 * listener uses SASL; {@code authorization} is null when requests are not checked against a policy; {@code audit} is null
 * when nothing is audited; {@code admin} is null when there is no admin API; {@code quotas} is null when no
 * principal has a byte-rate quota; {@code shutdown} is the default drain unless configured; {@code transport} is
 * {@link NetworkTransport#AUTO} unless configured.
 */
public record WardenConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, LimitsConfig limits,
                           AuthenticationConfig authentication, AuthorizationConfig authorization, AuditConfig audit,
                           AdminConfig admin, QuotasConfig quotas, ShutdownConfig shutdown, NetworkTransport transport) {

    public WardenConfig {
        listeners = List.copyOf(listeners);
        if (shutdown == null) {
            shutdown = ShutdownConfig.DEFAULT;
        }
        if (transport == null) {
            transport = NetworkTransport.AUTO;
        }
    }

    /** A configuration with the default network transport. */
    public WardenConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, LimitsConfig limits,
                        AuthenticationConfig authentication, AuthorizationConfig authorization, AuditConfig audit,
                        AdminConfig admin, QuotasConfig quotas, ShutdownConfig shutdown) {
        this(listeners, upstream, limits, authentication, authorization, audit, admin, quotas, shutdown, NetworkTransport.AUTO);
    }

    /** A configuration without quotas and with the default shutdown drain. */
    public WardenConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, LimitsConfig limits,
                        AuthenticationConfig authentication, AuthorizationConfig authorization, AuditConfig audit,
                        AdminConfig admin) {
        this(listeners, upstream, limits, authentication, authorization, audit, admin, null, ShutdownConfig.DEFAULT);
    }

    /** A configuration without the admin API. */
    public WardenConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, LimitsConfig limits,
                        AuthenticationConfig authentication, AuthorizationConfig authorization, AuditConfig audit) {
        this(listeners, upstream, limits, authentication, authorization, audit, null);
    }

    /** A configuration without auditing. */
    public WardenConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, LimitsConfig limits,
                        AuthenticationConfig authentication, AuthorizationConfig authorization) {
        this(listeners, upstream, limits, authentication, authorization, null, null);
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
