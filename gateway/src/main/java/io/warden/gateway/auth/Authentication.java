package io.warden.gateway.auth;

import io.warden.authn.sasl.SaslServerExchange;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The gateway's SASL side, shared by every listener: the mechanisms it can run (each backed by a credential store or
 * a token validator) and the rules every exchange follows. Thread-safe; each call to {@link #create} starts a new,
 * independent exchange.
 */
public final class Authentication implements AutoCloseable {

    private final Map<String, Supplier<SaslServerExchange>> mechanisms;
    private final Duration failureDelay;
    private final Duration maxSessionLifetime;
    private final List<AutoCloseable> resources;
    private final io.warden.authn.store.CredentialStore credentials;

    /**
     * @param mechanisms         a factory per mechanism name
     * @param failureDelay       how long a failed authentication waits before it is answered
     * @param maxSessionLifetime how long an authentication lasts before the client must re-authenticate (KIP-368);
     *                           zero for no limit
     * @param resources          what to close with the gateway (credential stores' refresh threads)
     * @param credentials        where SCRAM and PLAIN credentials come from; null without them
     */
    public Authentication(Map<String, Supplier<SaslServerExchange>> mechanisms, Duration failureDelay,
                          Duration maxSessionLifetime, List<AutoCloseable> resources,
                          io.warden.authn.store.CredentialStore credentials) {
        this.credentials = credentials;
        this.mechanisms = new LinkedHashMap<>(mechanisms);
        this.failureDelay = failureDelay;
        this.maxSessionLifetime = maxSessionLifetime;
        this.resources = List.copyOf(resources);
    }

    /** The mechanisms this gateway can run, whatever a listener offers. */
    public Set<String> mechanisms() {
        return mechanisms.keySet();
    }

    /** A new exchange for the mechanism, which must be one of {@link #mechanisms()}. */
    public SaslServerExchange create(String mechanism) {
        Supplier<SaslServerExchange> factory = mechanisms.get(mechanism);
        if (factory == null) {
            throw new IllegalArgumentException("SASL mechanism " + mechanism + " is not configured");
        }
        return factory.get();
    }

    /** Where SCRAM and PLAIN credentials come from; null when only OAUTHBEARER is configured. */
    public io.warden.authn.store.CredentialStore credentials() {
        return credentials;
    }

    public Duration failureDelay() {
        return failureDelay;
    }

    public Duration maxSessionLifetime() {
        return maxSessionLifetime;
    }

    @Override
    public void close() {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception ignored) {
                // closing at shutdown; nothing left to do with a failure
            }
        }
    }
}
