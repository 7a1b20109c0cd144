package io.warden.gateway.protocol;

import io.vertx.core.buffer.Buffer;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.ResponseHeader;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * Raises the {@code throttle_time_ms} of Produce and Fetch responses to the gateway's own throttle time, keeping the
 * broker's when it is longer (KIP-219: the client backs off by itself for that long). Records are never touched: a
 * Fetch response has the field first in its body and is patched in place; a Produce response, which carries no
 * records, is decoded and encoded again.
 */
public final class ThrottleTime {

    private ThrottleTime() {
    }

    /**
     * Where {@code throttle_time_ms} sits in a Fetch response frame (size prefix included), or -1 when the bytes
     * given do not reach past it yet.
     */
    public static int fetchOffset(Buffer frame, short version) {
        ByteBuffer in = KafkaFrames.payload(frame);
        try {
            ResponseHeader.parse(in, ApiKeys.FETCH.responseHeaderVersion(version));
        } catch (BufferUnderflowException partial) {
            return -1;
        }
        int offset = in.position();
        return offset + Integer.BYTES <= frame.length() ? offset : -1;
    }

    /** Raises the throttle time of a Fetch response (or its beginning) in place; false if the field is not in it yet. */
    public static boolean raiseFetch(Buffer frame, short version, int throttleMs) {
        int at = fetchOffset(frame, version);
        if (at < 0) {
            return false;
        }
        if (frame.getInt(at) < throttleMs) {
            frame.setInt(at, throttleMs);
        }
        return true;
    }

    /** A Produce response with its throttle time raised: the same frame when the broker's is already as long. */
    public static Buffer raiseProduce(Buffer frame, short version, int throttleMs) {
        KafkaFrames.Response response = KafkaFrames.splitResponse(frame, ApiKeys.PRODUCE, version);
        ProduceResponseData body = new ProduceResponseData(new ByteBufferAccessor(response.body()), version);
        if (body.throttleTimeMs() >= throttleMs) {
            return frame;
        }
        body.setThrottleTimeMs(throttleMs);
        return KafkaFrames.frame(response.header(), KafkaFrames.serialize(body, version));
    }
}
