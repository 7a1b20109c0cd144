package io.warden.gateway.protocol;

import io.vertx.core.buffer.Buffer;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.RequestHeader;

import java.nio.ByteBuffer;

/**
 * Caps how much a Fetch may return at what its principal's fetch quota allows in one window, as a Kafka broker caps
 * it (KAFKA-9677). A Fetch over the quota is answered with no records, so one whose response alone is more than a
 * window's worth of quota would be throttled every time and its consumer would never get a record. The request's
 * {@code max_bytes} (Fetch v3+) is lowered to the cap and {@code min_bytes} with it; the partitions' own limits stay,
 * as in Kafka.
 */
public final class FetchMaxBytes {

    /** First Fetch version with a request-wide max_bytes. */
    static final short MAX_BYTES = 3;

    private FetchMaxBytes() {
    }

    /** The Fetch request frame with its max_bytes at most {@code cap}: the same frame when it already is. */
    public static Buffer cap(Buffer frame, int cap) {
        ByteBuffer in = KafkaFrames.payload(frame);
        RequestHeader header = RequestHeader.parse(in);
        if (header.apiVersion() < MAX_BYTES) {
            return frame;
        }
        FetchRequestData body = new FetchRequestData(new ByteBufferAccessor(in), header.apiVersion());
        if (body.maxBytes() <= cap) {
            return frame;
        }
        body.setMaxBytes(cap).setMinBytes(Math.min(body.minBytes(), cap));
        return KafkaFrames.request(header, body);
    }
}
