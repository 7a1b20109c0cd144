package io.warden.gateway.proxy;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.warden.gateway.protocol.KafkaFrames;

import java.util.function.Consumer;

/**
 * Splits a byte stream into Kafka frames (4-byte big-endian size, then that many bytes). Each frame is handed on
 * whole, size prefix included, as a view of the received bytes where it arrived in one piece.
 *
 * <p>The size is checked before any of the frame is buffered: zero, negative or above {@code maxFrameBytes} ends
 * the stream with a reason. A partial frame at end of stream is dropped. A frame arriving in pieces can be skipped
 * (a response the gateway answers otherwise): its bytes are dropped as they come. Pausing the decoder pauses its source, so
 * a slow consumer of frames holds back the peer instead of growing a buffer. Not thread-safe: one event loop.
 */
final class FrameDecoder implements Handler<Buffer> {

    /** Bytes reserved up front for a frame that arrives in pieces, unless the peer is trusted with more. */
    private static final int UNTRUSTED_INITIAL_CAPACITY = 64 * 1024;

    private int maxFrameBytes;
    private final boolean trustedPeer;
    private final ReadStream<Buffer> source;
    private final Consumer<Buffer> onFrame;
    private final Consumer<String> onInvalid;
    private Consumer<Buffer> onPartialFrame = partial -> { };

    private Buffer pending;
    private int offset;
    private boolean owned;
    private boolean paused;
    /** Whether the source is paused: it is resumed once no frame is held back and the frames buffered are handed on. */
    private boolean sourcePaused;
    /** True while frames are being handed on; a resume meanwhile lets that loop go on instead of starting another. */
    private boolean draining;
    private boolean failed;
    /** Bytes of a frame being skipped that are still to come, and what runs once they have; 0 and null otherwise. */
    private long skipping;
    private Runnable onSkipped;

    /**
     * @param trustedPeer when true (a broker), a frame that arrives in pieces gets its whole size reserved at once,
     *                    saving the copies of a growing buffer; a client only gets room for what it has sent
     */
    FrameDecoder(int maxFrameBytes, boolean trustedPeer, ReadStream<Buffer> source, Consumer<Buffer> onFrame, Consumer<String> onInvalid) {
        this.maxFrameBytes = maxFrameBytes;
        this.trustedPeer = trustedPeer;
        this.source = source;
        this.onFrame = onFrame;
        this.onInvalid = onInvalid;
    }

    @Override
    public void handle(Buffer chunk) {
        if (failed || chunk.length() == 0) {
            return;
        }
        if (pending == null) {
            pending = chunk;
            offset = 0;
            owned = false;
        } else {
            if (!owned) {
                int remaining = pending.length() - offset;
                Buffer copy = Buffer.buffer(Math.max(remaining + chunk.length(), expectedFrameLength(remaining)));
                copy.appendBuffer(pending, offset, remaining);
                pending = copy;
                offset = 0;
                owned = true;
            }
            pending.appendBuffer(chunk);
        }
        drain();
    }

    /**
     * Drops the frame now arriving in pieces, from a {@link #onPartialFrame} handler: what is buffered of it is let go
     * and the rest is discarded as it arrives, never held. {@code onSkipped} runs once its last byte is in, in the
     * frame's place among the frames (after those before it, before those after it, and not while paused).
     */
    void skipFrame(Runnable onSkipped) {
        if (pending == null || pending.length() - offset < KafkaFrames.SIZE_PREFIX || skipping > 0) {
            throw new IllegalStateException("no frame is arriving in pieces");
        }
        this.skipping = KafkaFrames.SIZE_PREFIX + (long) pending.getInt(offset);
        this.onSkipped = onSkipped;
    }

    /** A size within the limit, and small enough that the frame with its size prefix fits in one buffer. */
    private boolean acceptable(int size) {
        return size > 0 && size <= maxFrameBytes && size <= Integer.MAX_VALUE - KafkaFrames.SIZE_PREFIX;
    }

    /** How much room the frame starting at {@code offset} will need, as far as it is wise to reserve now. */
    private int expectedFrameLength(int available) {
        if (available < KafkaFrames.SIZE_PREFIX || skipping > 0) {
            return 0;
        }
        int size = pending.getInt(offset);
        if (!acceptable(size)) {
            return 0;
        }
        int total = KafkaFrames.SIZE_PREFIX + size;
        return trustedPeer ? total : Math.min(total, UNTRUSTED_INITIAL_CAPACITY);
    }

    /**
     * Called after each chunk that leaves a frame incomplete, with a view of that frame so far (size prefix
     * included), so its consumer can forward the beginning before the end arrives. The views stay valid.
     */
    void onPartialFrame(Consumer<Buffer> handler) {
        this.onPartialFrame = handler;
    }

    /** Changes the largest frame accepted from now on (raised once a client has authenticated). */
    void limit(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    void pause() {
        paused = true;
        if (!sourcePaused) {
            sourcePaused = true;
            source.pause();
        }
    }

    /**
     * Hands on the frames buffered meanwhile, then reads from the source again. Called from a frame's own handling
     * (a request answered at once), it only lets the loop under way go on: a long pipeline of such requests is
     * handled in one loop, not in calls nested once per frame.
     */
    void resume() {
        paused = false;
        if (!draining) {
            drain();
        }
    }

    boolean isPaused() {
        return paused;
    }

    private void drain() {
        draining = true;
        try {
            handOn();
        } finally {
            draining = false;
        }
        if (!paused && !failed && sourcePaused) {
            sourcePaused = false;
            source.resume();
        }
    }

    private void handOn() {
        boolean emitted = false;
        while (!paused && !failed && pending != null) {
            int available = pending.length() - offset;
            if (skipping > 0) {
                int dropped = (int) Math.min(skipping, available);
                offset += dropped;
                skipping -= dropped;
                if (skipping > 0) {
                    break;
                }
                Runnable skipped = onSkipped;
                onSkipped = null;
                emitted = true;
                skipped.run();
                continue;
            }
            if (available < KafkaFrames.SIZE_PREFIX) {
                break;
            }
            int size = pending.getInt(offset);
            if (!acceptable(size)) {
                failed = true;
                pending = null;
                onInvalid.accept(size <= 0
                        ? "invalid frame size " + size
                        : "frame size " + size + " exceeds the limit of " + maxFrameBytes + " bytes");
                return;
            }
            int total = KafkaFrames.SIZE_PREFIX + size;
            if (available < total) {
                onPartialFrame.accept(pending.slice(offset, pending.length()));
                if (skipping > 0) {
                    continue;
                }
                break;
            }
            Buffer frame = pending.slice(offset, offset + total);
            offset += total;
            emitted = true;
            onFrame.accept(frame);
        }
        if (pending == null) {
            return;
        }
        if (offset == pending.length()) {
            pending = null;
            offset = 0;
            owned = false;
        } else if (emitted && offset > 0) {
            // Keep only the unconsumed tail, so a long pipelined stream never grows one buffer without bound.
            int remaining = pending.length() - offset;
            Buffer tail = Buffer.buffer(Math.max(remaining, expectedFrameLength(remaining)));
            tail.appendBuffer(pending, offset, remaining);
            pending = tail;
            offset = 0;
            owned = true;
        }
    }
}
