package io.warden.gateway.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.ResponseHeader;

import java.nio.ByteBuffer;

/**
 * Conversions between Vert.x buffers holding whole Kafka frames (4-byte size prefix included) and the
 * {@link ByteBuffer}s kafka-clients' generated message classes read and write. Views, not copies, where possible.
 */
public final class KafkaFrames {

    /** Bytes of the size prefix in front of every Kafka request and response. */
    public static final int SIZE_PREFIX = 4;

    private KafkaFrames() {
    }

    /** A ByteBuffer view of the frame, positioned just after the size prefix. */
    public static ByteBuffer payload(Buffer frame) {
        ByteBuffer bb = ((BufferInternal) frame).getByteBuf().nioBuffer();
        bb.position(SIZE_PREFIX);
        return bb;
    }

    /** A response frame split into its header bytes (as the broker sent them) and its body. Views, not copies. */
    public record Response(ByteBuffer header, ByteBuffer body) {
    }

    /** Splits a response frame of this API and version into header and body. */
    public static Response splitResponse(Buffer frame, ApiKeys api, short version) {
        ByteBuffer in = payload(frame);
        int headerStart = in.position();
        ResponseHeader.parse(in, api.responseHeaderVersion(version));
        return new Response(in.duplicate().position(headerStart).limit(in.position()), in.slice());
    }

    /** The correlation id of a response frame (the first header field, in every header version). */
    public static int correlationId(Buffer responseFrame) {
        return responseFrame.getInt(SIZE_PREFIX);
    }

    /**
     * Builds a response frame from a header and a body message, e.g. for an answer the gateway gives itself.
     */
    public static Buffer response(int correlationId, short headerVersion, Message body, short bodyVersion) {
        ByteBuffer header = MessageUtil.toByteBufferAccessor(new ResponseHeader(correlationId, headerVersion).data(), headerVersion).buffer();
        ByteBuffer payload = MessageUtil.toByteBufferAccessor(body, bodyVersion).buffer();
        return frame(header, payload);
    }

    /** Builds a response frame from an original header (bytes as the broker sent them) and a new body. */
    public static Buffer frame(ByteBuffer header, ByteBuffer body) {
        int size = header.remaining() + body.remaining();
        ByteBuf out = Unpooled.buffer(SIZE_PREFIX + size);
        out.writeInt(size);
        out.writeBytes(header);
        out.writeBytes(body);
        return BufferInternal.buffer(out);
    }

    /** Builds a request frame, e.g. for a request the gateway sends a broker itself. */
    public static Buffer request(org.apache.kafka.common.requests.RequestHeader header, Message body) {
        ByteBuffer h = MessageUtil.toByteBufferAccessor(header.data(), header.headerVersion()).buffer();
        return frame(h, serialize(body, header.apiVersion()));
    }

    /** Serializes a message body. */
    public static ByteBuffer serialize(Message body, short version) {
        return MessageUtil.toByteBufferAccessor(body, version).buffer();
    }
}
