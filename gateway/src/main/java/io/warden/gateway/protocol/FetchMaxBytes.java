package io.warden.gateway.protocol;

import io.vertx.core.buffer.Buffer;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.types.Field;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.Type;
import org.apache.kafka.common.requests.RequestHeader;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Caps how much a Fetch may return at what its principal's fetch quota allows in one window, as a Kafka broker caps
 * it (KAFKA-9677). A Fetch over the quota is answered with no records, so one whose response alone is more than a
 * window's worth of quota would be throttled every time and its consumer would never get a record. The request's
 * {@code max_bytes} (Fetch v3+) is lowered to the cap and {@code min_bytes} with it; the partitions' own limits stay,
 * as in Kafka.
 *
 * <p>Both fields are fixed-width and come before anything of variable length in the body (after {@code replica_id}
 * below v15, {@code max_wait_ms}), so they are rewritten where they stand, without decoding the request. Their
 * offsets are read from kafka-clients' Fetch schemas.
 */
public final class FetchMaxBytes {

    /** First Fetch version with a request-wide max_bytes. */
    static final short MAX_BYTES = 3;

    private static final Map<Type, Integer> FIXED_WIDTHS = Map.of(Type.INT8, 1, Type.INT16, 2, Type.INT32, 4, Type.INT64, 8);

    /** By Fetch version: where min_bytes and max_bytes start in the body; absent for versions kafka-clients lacks. */
    private static final int[] MIN_BYTES_AT = offsets("min_bytes");
    private static final int[] MAX_BYTES_AT = offsets("max_bytes");

    private FetchMaxBytes() {
    }

    /**
     * The Fetch request frame with its max_bytes at most {@code cap}: the same frame, changed in place when it asked
     * for more (the caller passes a frame nothing reads after it is sent).
     *
     * @throws IllegalArgumentException when the frame ends before the fields
     */
    public static Buffer cap(Buffer frame, int cap) {
        ByteBuffer in = KafkaFrames.payload(frame);
        RequestHeader header = RequestHeader.parse(in);
        short version = header.apiVersion();
        if (version < MAX_BYTES) {
            return frame;
        }
        if (version >= MAX_BYTES_AT.length || MAX_BYTES_AT[version] < 0) {
            throw new IllegalArgumentException("Fetch version " + version + " is not known to the gateway");
        }
        int body = in.position();
        int maxBytesAt = body + MAX_BYTES_AT[version];
        if (maxBytesAt + Integer.BYTES > in.limit()) {
            throw new IllegalArgumentException("Fetch v" + version + " body of " + (in.limit() - body)
                    + " bytes ends before its max_bytes (bytes " + MAX_BYTES_AT[version] + " to " + (MAX_BYTES_AT[version] + 3) + ")");
        }
        if (frame.getInt(maxBytesAt) <= cap) {
            return frame;
        }
        int minBytesAt = body + MIN_BYTES_AT[version];
        frame.setInt(maxBytesAt, cap);
        frame.setInt(minBytesAt, Math.min(frame.getInt(minBytesAt), cap));
        return frame;
    }

    /** The offset of {@code field} in the body of each Fetch version, or -1 where it is not there. */
    private static int[] offsets(String field) {
        int[] out = new int[FetchRequestData.HIGHEST_SUPPORTED_VERSION + 1];
        for (int v = 0; v < out.length; v++) {
            out[v] = v < FetchRequestData.LOWEST_SUPPORTED_VERSION ? -1 : offset(FetchRequestData.SCHEMAS[v], field, v);
        }
        return out;
    }

    private static int offset(Schema schema, String field, int version) {
        int at = 0;
        for (int i = 0; i < schema.numFields(); i++) {
            Field f = schema.get(i).def;
            if (f.name.equals(field)) {
                return at;
            }
            Integer width = FIXED_WIDTHS.get(f.type);
            if (width == null) {
                throw new IllegalStateException("Fetch v" + version + ": " + f.name + " before " + field + " has no fixed width");
            }
            at += width;
        }
        return -1;
    }
}
