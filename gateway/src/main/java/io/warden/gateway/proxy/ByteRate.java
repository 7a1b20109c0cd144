package io.warden.gateway.proxy;

/**
 * A byte rate held to a quota, measured as Kafka's client quotas measure it: the bytes of the last {@code samples}
 * samples of {@code sampleNanos} each, over the time they span but never less than {@code samples - 1} whole samples
 * (Kafka's {@code Rate} over a {@code SampledStat}). A new sample starts with the first bytes after the current one
 * has lasted its length; samples older than the whole window are forgotten.
 *
 * <p>Above the quota, the throttle time is Kafka's ({@code ClientQuotaManager}): how long the window would have to be
 * for the bytes in it to be within the quota, {@code (rate - quota) / quota * window}. Like Kafka's for byte rates it is
 * not capped at the window: a request larger than a window's worth of quota is held back for as long as it needs.
 * Thread-safe: the connections of one principal record into it from several event loops.
 */
final class ByteRate {

    private final double bytesPerSecond;
    private final long sampleNanos;
    private final long[] sampleStart;
    private final long[] sampleBytes;
    private int current;
    private long lastRecord;

    ByteRate(long bytesPerSecond, int samples, long sampleNanos, long now) {
        this.bytesPerSecond = bytesPerSecond;
        this.sampleNanos = sampleNanos;
        this.sampleStart = new long[samples];
        this.sampleBytes = new long[samples];
        java.util.Arrays.fill(sampleStart, now);
        this.lastRecord = now;
    }

    /** Records {@code bytes} at {@code now} (nanoseconds) and returns the throttle time in ms: 0 within the quota. */
    synchronized int record(long bytes, long now) {
        lastRecord = now;
        if (now - sampleStart[current] >= sampleNanos) {
            current = (current + 1) % sampleStart.length;
            sampleStart[current] = now;
            sampleBytes[current] = 0;
        }
        sampleBytes[current] += bytes;
        long expiry = sampleStart.length * sampleNanos;
        long total = 0;
        long oldest = now;
        for (int i = 0; i < sampleStart.length; i++) {
            if (now - sampleStart[i] >= expiry) {
                sampleStart[i] = now;
                sampleBytes[i] = 0;
            }
            total += sampleBytes[i];
            oldest = Math.min(oldest, sampleStart[i]);
        }
        long window = now - oldest;
        long fullSamples = window / sampleNanos;
        if (fullSamples < sampleStart.length - 1) {
            window += (sampleStart.length - 1 - fullSamples) * sampleNanos;
        }
        double windowSeconds = Math.max(window, 1_000_000) / 1e9;
        double rate = total / windowSeconds;
        if (rate <= bytesPerSecond) {
            return 0;
        }
        long throttleMs = Math.round((rate - bytesPerSecond) / bytesPerSecond * windowSeconds * 1000);
        return (int) Math.min(throttleMs, Integer.MAX_VALUE);
    }

    /**
     * As {@link #record}, except that bytes which earn a throttle are taken back out: what carried them is not
     * delivered, as Kafka unrecords the size of a Fetch response it answers empty because of the throttle.
     */
    synchronized int recordIfWithin(long bytes, long now) {
        int throttleMs = record(bytes, now);
        if (throttleMs > 0) {
            sampleBytes[current] -= bytes;
        }
        return throttleMs;
    }

    /** The most bytes that fit the quota over the shortest window it is measured over ({@code samples - 1} samples). */
    long perWindow() {
        return (long) (bytesPerSecond * (sampleStart.length - 1) * sampleNanos / 1e9);
    }

    /** True when nothing recorded is still inside the window at {@code now}. */
    synchronized boolean idle(long now) {
        return now - lastRecord >= sampleStart.length * sampleNanos;
    }
}
