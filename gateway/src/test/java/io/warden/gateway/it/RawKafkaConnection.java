package io.warden.gateway.it;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/** A blocking socket that speaks raw Kafka frames, for sending exactly the bytes a test needs. */
public final class RawKafkaConnection implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int nextCorrelationId = 1;

    public RawKafkaConnection(String host, int port) throws IOException {
        this(new Socket(host, port));
    }

    /** A connection from this local address (any of 127.0.0.0/8 on loopback), as a client on another host would be. */
    public RawKafkaConnection(String host, int port, String localAddress) throws IOException {
        this(new Socket(host, port, InetAddress.getByName(localAddress), 0));
    }

    private RawKafkaConnection(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends a request with a proper header; returns its correlation id. */
    public int send(ApiKeys api, short version, ApiMessage body) throws IOException {
        int correlationId = nextCorrelationId++;
        send(api, version, correlationId, body);
        return correlationId;
    }

    public void send(ApiKeys api, short version, int correlationId, ApiMessage body) throws IOException {
        sendRawFrame(payload(api, version, correlationId, body));
    }

    /** A request's header and body as one frame carries them, without the size prefix. */
    public static byte[] payload(ApiKeys api, short version, int correlationId, ApiMessage body) {
        RequestHeader header = new RequestHeader(api, version, "raw-test", correlationId);
        ByteBuffer h = MessageUtil.toByteBufferAccessor(header.data(), header.headerVersion()).buffer();
        ByteBuffer b = MessageUtil.toByteBufferAccessor(body, version).buffer();
        return ByteBuffer.allocate(h.remaining() + b.remaining()).put(h).put(b).array();
    }

    /** How long a read waits before it fails with a {@link SocketTimeoutException} (10 s unless set). */
    public void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    public void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one response frame, positioned after the header of the given version. */
    public ByteBuffer receive(short responseHeaderVersion, int expectedCorrelationId) throws IOException {
        int size = in.readInt();
        byte[] payload = new byte[size];
        in.readFully(payload);
        ByteBuffer buf = ByteBuffer.wrap(payload);
        ResponseHeader header = ResponseHeader.parse(buf, responseHeaderVersion);
        if (header.correlationId() != expectedCorrelationId) {
            throw new IllegalStateException("correlation id " + header.correlationId() + ", expected " + expectedCorrelationId);
        }
        return buf;
    }

    public <T> T receive(ApiKeys api, short version, int correlationId, java.util.function.Function<ByteBufferAccessor, T> reader) throws IOException {
        ByteBuffer body = receive(api.responseHeaderVersion(version), correlationId);
        return reader.apply(new ByteBufferAccessor(body));
    }

    /** Reads one size-prefixed frame as raw bytes (SASL tokens after a SaslHandshake v0). */
    public byte[] receiveRawFrame() throws IOException {
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        return payload;
    }

    /** Writes one size-prefixed frame of raw bytes. */
    public void sendRawFrame(byte[] payload) throws IOException {
        writeRaw(ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array());
    }

    /** True when the peer closes the connection within the socket timeout (reads return end of stream). */
    public boolean isClosedByPeer() {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (EOFException | SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Frames with a hand-made body, for versions the client library cannot write. */
    public static final class Frame {
        private Frame() {
        }

        public static void send(RawKafkaConnection c, ApiKeys api, short version, int correlationId, byte[] body) throws IOException {
            RequestHeader header = new RequestHeader(api, version, "raw-test", correlationId);
            ByteBuffer h = MessageUtil.toByteBufferAccessor(header.data(), header.headerVersion()).buffer();
            ByteBuffer frame = ByteBuffer.allocate(4 + h.remaining() + body.length);
            frame.putInt(h.remaining() + body.length).put(h).put(body).flip();
            c.writeRaw(frame.array());
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
