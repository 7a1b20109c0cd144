package io.warden.gateway.proxy;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FrameDecoderTest {

    /** Only records whether the decoder asked its source to pause. */
    private static final class Source implements ReadStream<Buffer> {
        boolean paused;

        @Override
        public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public ReadStream<Buffer> handler(Handler<Buffer> handler) {
            return this;
        }

        @Override
        public ReadStream<Buffer> pause() {
            paused = true;
            return this;
        }

        @Override
        public ReadStream<Buffer> resume() {
            paused = false;
            return this;
        }

        @Override
        public ReadStream<Buffer> fetch(long amount) {
            return this;
        }

        @Override
        public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
            return this;
        }
    }

    private final Source source = new Source();
    private final List<String> frames = new ArrayList<>();
    private final List<String> invalid = new ArrayList<>();
    private final FrameDecoder decoder = new FrameDecoder(100, false, source,
            f -> frames.add(f.getInt(0) + ":" + f.getString(4, f.length())), invalid::add);

    private static Buffer frame(String body) {
        return Buffer.buffer().appendInt(body.length()).appendString(body);
    }

    @Test
    void splitsFramesThatArriveTogether() {
        decoder.handle(frame("one").appendBuffer(frame("two")).appendBuffer(frame("three")));
        assertThat(frames).containsExactly("3:one", "3:two", "5:three");
    }

    @Test
    void joinsFramesThatArriveInPieces() {
        Buffer all = frame("hello").appendBuffer(frame("world!"));
        for (int i = 0; i < all.length(); i++) {
            decoder.handle(all.getBuffer(i, i + 1));
        }
        assertThat(frames).containsExactly("5:hello", "6:world!");
    }

    @Test
    void keepsOnlyTheTailAcrossChunks() {
        Buffer all = frame("aaaa").appendBuffer(frame("bbbb")).appendBuffer(frame("cccc"));
        decoder.handle(all.getBuffer(0, 10));
        decoder.handle(all.getBuffer(10, 19));
        decoder.handle(all.getBuffer(19, all.length()));
        assertThat(frames).containsExactly("4:aaaa", "4:bbbb", "4:cccc");
    }

    @Test
    void reportsTheBeginningOfAFrameWhileTheRestIsOnItsWay() {
        List<String> partial = new ArrayList<>();
        FrameDecoder streaming = new FrameDecoder(100, true, source, f -> frames.add(f.getString(4, f.length())), invalid::add);
        streaming.onPartialFrame(p -> partial.add(p.getString(4, p.length())));
        Buffer all = frame("abcdefgh");
        streaming.handle(all.getBuffer(0, 6));
        streaming.handle(all.getBuffer(6, 9));
        streaming.handle(all.getBuffer(9, all.length()));
        assertThat(partial).containsExactly("ab", "abcde");
        assertThat(frames).containsExactly("abcdefgh");
    }

    /**
     * A frame skipped as it arrives is never handed on nor held: its bytes are dropped chunk by chunk, then the
     * skip's end comes in the frame's place, between the frames before and after it, even in the same chunks.
     */
    @Test
    void aSkippedFrameIsDroppedAsItArrivesAndEndsInItsPlace() {
        List<String> seen = new ArrayList<>();
        FrameDecoder[] self = new FrameDecoder[1];
        self[0] = new FrameDecoder(1000, true, source, f -> seen.add(f.getString(4, f.length())), invalid::add);
        self[0].onPartialFrame(p -> {
            seen.add("partial " + p.length());
            self[0].skipFrame(() -> seen.add("skipped"));
        });
        Buffer skipped = frame("x".repeat(300));
        self[0].handle(frame("before").appendBuffer(skipped.getBuffer(0, 20)));
        self[0].handle(skipped.getBuffer(20, 200));
        self[0].handle(skipped.getBuffer(200, 304).appendBuffer(frame("after")));
        assertThat(seen).containsExactly("before", "partial 20", "skipped", "after");
        assertThat(invalid).isEmpty();
    }

    @Test
    void aSkippedFrameThatEndsWhilePausedEndsOnResume() {
        List<String> seen = new ArrayList<>();
        FrameDecoder[] self = new FrameDecoder[1];
        self[0] = new FrameDecoder(1000, true, source, f -> seen.add(f.getString(4, f.length())), invalid::add);
        self[0].onPartialFrame(p -> self[0].skipFrame(() -> seen.add("skipped")));
        Buffer skipped = frame("y".repeat(100));
        self[0].handle(skipped.getBuffer(0, 10));
        self[0].pause();
        self[0].handle(skipped.getBuffer(10, 104).appendBuffer(frame("next")));
        assertThat(seen).isEmpty();
        self[0].resume();
        assertThat(seen).containsExactly("skipped", "next");
    }

    @Test
    void refusesSizesOutOfRangeBeforeReadingTheBody() {
        decoder.handle(Buffer.buffer().appendInt(101));
        assertThat(invalid).containsExactly("frame size 101 exceeds the limit of 100 bytes");
        decoder.handle(frame("ignored after failure"));
        assertThat(frames).isEmpty();
    }

    @Test
    void refusesNegativeAndZeroSizes() {
        new FrameDecoder(100, false, source, f -> { }, invalid::add).handle(Buffer.buffer().appendInt(-1));
        new FrameDecoder(100, false, source, f -> { }, invalid::add).handle(Buffer.buffer().appendInt(0));
        assertThat(invalid).containsExactly("invalid frame size -1", "invalid frame size 0");
    }

    @Test
    void holdsFramesWhilePausedAndPausesItsSource() {
        decoder.pause();
        assertThat(source.paused).isTrue();
        decoder.handle(frame("a").appendBuffer(frame("b")));
        assertThat(frames).isEmpty();
        decoder.resume();
        assertThat(source.paused).isFalse();
        assertThat(frames).containsExactly("1:a", "1:b");
    }

    @Test
    void aConsumerThatPausesMidBatchStopsDelivery() {
        FrameDecoder[] self = new FrameDecoder[1];
        List<String> got = new ArrayList<>();
        self[0] = new FrameDecoder(100, false, source, f -> {
            got.add(f.getString(4, f.length()));
            self[0].pause();
        }, invalid::add);
        self[0].handle(frame("x").appendBuffer(frame("y")));
        assertThat(got).containsExactly("x");
        self[0].resume();
        assertThat(got).containsExactly("x", "y");
    }

    /**
     * Each frame's handling pauses the decoder and resumes it before returning (a request answered at once): a long
     * pipeline of them is handed on in one loop, not in nested calls that would overflow the stack, and the source
     * is left reading.
     */
    @Test
    void aConsumerThatPausesAndResumesAtOnceGetsAPipelineOfAnyLengthInOrder() {
        FrameDecoder[] self = new FrameDecoder[1];
        List<Integer> got = new ArrayList<>();
        self[0] = new FrameDecoder(100, false, source, f -> {
            self[0].pause();
            got.add(f.getInt(4));
            self[0].resume();
        }, invalid::add);
        int count = 200_000;
        Buffer pipeline = Buffer.buffer(count * 8);
        for (int i = 0; i < count; i++) {
            pipeline.appendInt(4).appendInt(i);
        }
        self[0].handle(pipeline);
        assertThat(got).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(got.get(i)).isEqualTo(i);
        }
        assertThat(source.paused).isFalse();
        assertThat(invalid).isEmpty();
    }

    /** With no practical limit (the broker's side), a size whose frame could not fit in a buffer is still refused. */
    @Test
    void aSizeTooLargeForAnyBufferIsRefusedEvenWithoutALimit() {
        FrameDecoder unlimited = new FrameDecoder(Integer.MAX_VALUE, true, source, f -> frames.add("frame"), invalid::add);
        unlimited.handle(Buffer.buffer().appendInt(Integer.MAX_VALUE).appendString("xyz"));
        unlimited.handle(Buffer.buffer().appendString("more"));
        assertThat(frames).isEmpty();
        assertThat(invalid).hasSize(1);
        assertThat(invalid.get(0)).contains(Integer.toString(Integer.MAX_VALUE));
    }
}
