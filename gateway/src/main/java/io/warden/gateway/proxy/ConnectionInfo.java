package io.warden.gateway.proxy;

/** One open client connection: where it came in, from where, and as whom. */
public record ConnectionInfo(String listener, String client, String principal) {
}
