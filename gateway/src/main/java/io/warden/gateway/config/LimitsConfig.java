package io.warden.gateway.config;

/**
 * Resource limits.
 *
 * @param maxFrameBytes the largest request frame accepted from a client (Kafka's {@code socket.request.max.bytes});
 *                      a larger size prefix closes the connection before anything is buffered
 */
public record LimitsConfig(int maxFrameBytes) {

    public static final int DEFAULT_MAX_FRAME_BYTES = 100 * 1024 * 1024;
}
