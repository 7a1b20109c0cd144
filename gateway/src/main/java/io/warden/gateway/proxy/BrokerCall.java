package io.warden.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.warden.gateway.protocol.KafkaFrames;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Requests the gateway itself sends on a broker connection, one at a time, before the connection carries a client's
 * traffic: the ApiVersions probe and the gateway's own SASL login. {@link #release()} hands the socket on with no
 * handler attached.
 */
final class BrokerCall {

    static final String CLIENT_ID = "warden";

    private final NetSocket socket;
    private final Vertx vertx;
    private final long timeoutMs;
    private final FrameDecoder decoder;
    private Promise<ByteBuffer> pending;
    private ApiKeys pendingApi;
    private short pendingVersion;
    private int correlationId;
    private long timer = -1;
    private boolean closed;

    /** A broker that has not answered a request within {@code timeout} fails it and loses the connection. */
    BrokerCall(NetSocket socket, Vertx vertx, Duration timeout) {
        this.socket = socket;
        this.vertx = vertx;
        this.timeoutMs = Math.max(1, timeout.toMillis());
        this.decoder = new FrameDecoder(64 * 1024 * 1024, true, socket, this::onFrame, this::onInvalid);
        socket.handler(decoder);
        socket.closeHandler(v -> {
            closed = true;
            failPending("broker closed the connection");
        });
        socket.exceptionHandler(e -> failPending("broker connection error: " + e.getMessage()));
    }

    NetSocket socket() {
        return socket;
    }

    /** Whether the connection closed while this call had it. */
    boolean closed() {
        return closed;
    }

    /** Sends one request and completes with the response body (header checked and skipped). */
    Future<ByteBuffer> send(ApiKeys api, short version, Message body) {
        if (pending != null) {
            return Future.failedFuture(new IllegalStateException("a request is already pending"));
        }
        if (closed) { // between two requests, for instance while the SCRAM proof was computed on a worker thread
            return Future.failedFuture(new IllegalStateException("broker closed the connection"));
        }
        pending = Promise.promise();
        pendingApi = api;
        pendingVersion = version;
        RequestHeader header = new RequestHeader(api, version, CLIENT_ID, ++correlationId);
        Promise<ByteBuffer> sent = pending;
        timer = vertx.setTimer(timeoutMs, id -> {
            timer = -1;
            if (pending == sent) {
                failPending("broker did not answer " + api.name + " within " + timeoutMs + " ms");
                socket.close();
            }
        });
        socket.write(KafkaFrames.request(header, body));
        return pending.future();
    }

    private void onFrame(Buffer frame) {
        cancelTimer();
        Promise<ByteBuffer> p = pending;
        pending = null;
        if (p == null) {
            socket.close();
            return;
        }
        try {
            ByteBuffer in = KafkaFrames.payload(frame);
            ResponseHeader header = ResponseHeader.parse(in, pendingApi.responseHeaderVersion(pendingVersion));
            if (header.correlationId() != correlationId) {
                throw new IllegalStateException("broker answered correlation id " + header.correlationId() + ", expected " + correlationId);
            }
            p.complete(in.slice());
        } catch (RuntimeException e) {
            p.fail(e);
        }
    }

    private void onInvalid(String reason) {
        failPending("invalid frame from broker: " + reason);
        socket.close();
    }

    private void cancelTimer() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private void failPending(String reason) {
        cancelTimer();
        Promise<ByteBuffer> p = pending;
        pending = null;
        if (p != null) {
            p.tryFail(reason);
        }
    }

    /** Detaches from the socket so its next owner can install handlers. */
    NetSocket release() {
        socket.handler(null);
        socket.closeHandler(null);
        socket.exceptionHandler(null);
        return socket;
    }
}
