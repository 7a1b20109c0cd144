package io.warden.audit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how the file sink writes: the directory, when a segment is rotated, and the PEM private key that seals
 * each closed segment.
 *
 * @param maxSegmentBytes rotate before a segment would exceed this size (a single larger line still goes in)
 * @param maxSegmentAge   rotate a non-empty segment older than this; null for no time rotation
 * @param signingKeyPem   PKCS#8 or SEC1 PEM of an Ed25519, ECDSA P-256 or RSA private key
 * @param checkpointInterval how often, at most, the open segment's forced lines get a signed checkpoint; null for
 *                        none (then only the hash chain protects a segment until it is sealed)
 */
public record FileSinkConfig(Path directory, long maxSegmentBytes, Duration maxSegmentAge, Path signingKeyPem,
                             Duration checkpointInterval) {

    /** 64 MiB. */
    public static final long DEFAULT_MAX_SEGMENT_BYTES = 64L * 1024 * 1024;
    /** A minute. */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofMinutes(1);

    /** With checkpoints every {@link #DEFAULT_CHECKPOINT_INTERVAL}. */
    public FileSinkConfig(Path directory, long maxSegmentBytes, Duration maxSegmentAge, Path signingKeyPem) {
        this(directory, maxSegmentBytes, maxSegmentAge, signingKeyPem, DEFAULT_CHECKPOINT_INTERVAL);
    }

    public FileSinkConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(signingKeyPem, "signingKeyPem");
        if (maxSegmentBytes <= 0) {
            throw new IllegalArgumentException("maxSegmentBytes must be positive");
        }
        if (checkpointInterval != null && (checkpointInterval.isNegative() || checkpointInterval.isZero())) {
            throw new IllegalArgumentException("checkpointInterval must be positive, or null for none");
        }
    }

    /** Size rotation at 64 MiB and daily time rotation. */
    public static FileSinkConfig of(Path directory, Path signingKeyPem) {
        return new FileSinkConfig(directory, DEFAULT_MAX_SEGMENT_BYTES, Duration.ofDays(1), signingKeyPem);
    }
}
