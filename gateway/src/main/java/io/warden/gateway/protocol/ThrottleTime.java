package io.warden.gateway.protocol;

import io.vertx.core.buffer.Buffer;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ResponseHeader;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The gateway's throttle time in Produce and Fetch responses (KIP-219: the client backs off by itself for that long).
 * A Produce response, which carries no records, gets its {@code throttle_time_ms} raised to the gateway's, keeping
 * the broker's when it is longer. A Fetch response over the quota is not forwarded at all: the client gets Kafka's
 * throttled response instead, with no records (they are fetched again later), so the broker's is only read, from
 * its first bytes, for its throttle time.
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

    /** The broker's throttle time in a Fetch response (or its beginning), or -1 when the bytes do not reach it yet. */
    public static int ofFetch(Buffer frame, short version) {
        int at = fetchOffset(frame, version);
        return at < 0 ? -1 : frame.getInt(at);
    }

    /**
     * What a Kafka broker answers a Fetch its quota throttles ({@code FetchContext.getThrottledResponse}): no error,
     * the throttle time, and no partitions. The session id is 0, as for a sessionless or full fetch: clients hold no
     * fetch session through the gateway.
     */
    public static FetchResponse throttledFetch(int throttleMs) {
        return FetchResponse.of(Errors.NONE, throttleMs, FetchMetadata.INVALID_SESSION_ID, new LinkedHashMap<>(), List.of());
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
