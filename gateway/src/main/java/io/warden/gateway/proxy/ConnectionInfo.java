package io.warden.gateway.proxy;

/**
 * One open client connection: where it came in, from where, and as whom; {@code authenticated} is false while a SASL
 * listener's connection has not logged in yet.
 */
public record ConnectionInfo(String listener, String client, String principal, boolean authenticated) {
}
