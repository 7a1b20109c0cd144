package io.warden.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.warden.authn.CertificatePrincipals;
import io.warden.gateway.config.HostPort;
import io.warden.gateway.config.TlsConfig;
import io.warden.gateway.protocol.KafkaFrames;
import io.warden.gateway.protocol.SupportedApis;
import io.warden.gateway.enforce.Access;
import io.warden.gateway.enforce.ApiEnforcer;
import io.warden.gateway.enforce.Enforcers;
import io.warden.gateway.enforce.Verdict;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One client connection and its upstream connection to one broker (the bootstrap broker, or the broker whose
 * gateway port the client dialled). Requests go upstream in order and responses come back in the same order, so
 * correlation ids need no rewriting; a FIFO of in-flight requests tells how to read each response.
 *
 * <p>Fails closed: an unparseable header, an API key or version the gateway does not understand, or a bad frame
 * closes both connections. Back-pressure both ways: a full write queue on one side pauses reading on the other.
 * Confined to the listener's event loop.
 */
final class ClientConnection implements SaslGate.Connection {

    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

    /** The largest frame accepted before SASL authentication completes, as Kafka caps it (CVE-2022-34917). */
    static final int MAX_PRE_AUTHENTICATION_FRAME_BYTES = 512 * 1024;

    /** A request awaiting its response; {@code localResponse} is set when the gateway answers it itself. */
    private record InFlight(int correlationId, ApiKeys api, short version, Buffer localResponse, Verdict.ResponseEdit edit) {
        InFlight(int correlationId, ApiKeys api, short version, Buffer localResponse) {
            this(correlationId, api, version, localResponse, null);
        }
    }

    /** Responses at least this large are forwarded as they arrive instead of after their last byte. */
    static final int STREAM_THRESHOLD = 256 * 1024;

    private final ListenerVerticle listener;
    private final GatewayContext gateway;
    private final NetSocket client;
    private final OptionalInt targetNode;
    private final FrameDecoder fromClient;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final String peer;
    /** The client's IP address, as host-based ACLs name it. */
    private final String clientHost;
    /** Who the client is, as far as the transport tells: {@code User:<subject DN>} for a TLS client certificate. */
    private String principal = CertificatePrincipals.ANONYMOUS;
    private ConnectionInfo info;

    private NetSocket upstream;
    private FrameDecoder fromUpstream;
    private Future<Void> outputTail = Future.succeededFuture();
    /** The request whose response is being forwarded while it arrives, and how many of its bytes are out. */
    private InFlight streaming;
    private int streamedBytes;
    private boolean closed;
    private boolean upstreamClosed;
    /** SASL state on a SASL listener, else null. */
    private final SaslGate sasl;
    private long sessionTimer = -1;

    ClientConnection(ListenerVerticle listener, NetSocket client, OptionalInt targetNode) {
        this.listener = listener;
        this.gateway = listener.gateway();
        this.client = client;
        this.targetNode = targetNode;
        this.peer = String.valueOf(client.remoteAddress());
        this.clientHost = client.remoteAddress() == null ? "" : client.remoteAddress().hostAddress();
        this.sasl = listener.listenerConfig().sasl() == null ? null : new SaslGate(listener.vertx(),
                gateway.authentication(), listener.listenerConfig().sasl(), gateway.stats(), this);
        this.fromClient = new FrameDecoder(sasl == null ? gateway.config().limits().maxFrameBytes() : MAX_PRE_AUTHENTICATION_FRAME_BYTES,
                false, client, this::onRequest, reason -> refuse(reason));
    }

    void start() {
        gateway.stats().clientOpened();
        Optional<String> mapped = principalOf(client, listener.listenerConfig().tls());
        if (mapped.isEmpty()) {
            gateway.stats().refused();
            gateway.stats().clientClosed();
            client.close();
            return;
        }
        principal = mapped.get();
        info = new ConnectionInfo(listener.listenerConfig().name(), peer, principal);
        gateway.stats().opened(info);
        client.handler(fromClient);
        client.closeHandler(v -> onClientClosed());
        client.exceptionHandler(e -> close("client connection error: " + e.getMessage()));
        if (sasl == null) {
            fromClient.pause();
            openUpstream();
        }
    }

    /** Connects to the broker (logging in as the gateway where the brokers need SASL), then starts forwarding. */
    private void openUpstream() {
        Future<NetSocket> connected = connectUpstream();
        UpstreamLogin login = gateway.upstreamLogin();
        if (login != null) {
            connected = connected.compose(socket -> {
                BrokerCall call = new BrokerCall(socket);
                return login.login(call, listener.vertx())
                        .map(v -> call.release())
                        .onFailure(e -> socket.close());
            });
        }
        connected.onComplete(ar -> {
            if (ar.failed()) {
                LOG.info("event=upstream_unavailable listener={} client={} target={} reason=\"{}\"",
                        listener.listenerConfig().name(), peer, target(), ar.cause().getMessage());
                client.close();
                return;
            }
            attach(ar.result());
        });
    }

    private Future<NetSocket> connectUpstream() {
        if (targetNode.isEmpty()) {
            return listener.connectBootstrap();
        }
        int nodeId = targetNode.getAsInt();
        Optional<HostPort> known = gateway.nodes().address(nodeId);
        if (known.isPresent()) {
            return listener.connect(known.get());
        }
        // The client knows this broker port from an earlier session; ask the cluster where the node is now.
        return Future.fromCompletionStage(gateway.metadata().refreshNodes(), listener.context())
                .compose(nodes -> gateway.nodes().address(nodeId)
                        .map(listener::connect)
                        .orElseGet(() -> Future.failedFuture("broker node " + nodeId + " is not in the cluster")));
    }

    private void attach(NetSocket socket) {
        upstream = socket;
        gateway.stats().upstreamOpened();
        upstream.closeHandler(v -> {
            upstreamClosed = true;
            gateway.stats().upstreamClosed();
            if (!closed) {
                LOG.debug("event=upstream_closed listener={} client={} target={}", listener.listenerConfig().name(), peer, target());
                close(null);
            }
        });
        if (closed) {
            upstream.close();
            return;
        }
        fromUpstream = new FrameDecoder(Integer.MAX_VALUE, true, upstream, this::onResponse,
                reason -> close("invalid frame from broker: " + reason));
        fromUpstream.onPartialFrame(this::onPartialResponse);
        upstream.handler(fromUpstream);
        upstream.exceptionHandler(e -> close("broker connection error: " + e.getMessage()));
        fromClient.resume();
    }

    private void onRequest(Buffer frame) {
        if (closed) {
            return;
        }
        if (sasl != null && sasl.expectsRawToken()) {
            sasl.onRawToken(frame);
            return;
        }
        ByteBuffer in = KafkaFrames.payload(frame);
        RequestHeader header;
        try {
            header = RequestHeader.parse(in);
        } catch (RuntimeException e) {
            refuse("unreadable request header: " + e.getMessage());
            return;
        }
        ApiKeys api = header.apiKey();
        short version = header.apiVersion();
        int correlationId = header.correlationId();

        if (sasl != null && !saslAllows(api, version, correlationId, in)) {
            return;
        }

        if (api == ApiKeys.API_VERSIONS && !SupportedApis.isSupported(api, version)) {
            // As Kafka does: answer in v0 with UNSUPPORTED_VERSION and the range we do support, so the client retries.
            respondLocally(correlationId, api, version, KafkaFrames.response(correlationId, (short) 0,
                    SupportedApis.unsupportedApiVersionsResponse(), (short) 0));
            return;
        }
        if (!SupportedApis.isSupported(api)) {
            refuse("API " + api.name + " (key " + api.id + ") is not supported by the gateway");
            return;
        }
        if (!SupportedApis.isSupported(api, version)) {
            refuse("API " + api.name + " version " + version + " is not supported by the gateway (supported "
                    + SupportedApis.minVersion(api) + "-" + SupportedApis.maxVersion(api) + ")");
            return;
        }
        if (gateway.authorization() != null && !Enforcers.needsNoCheck(api)) {
            authorize(header, frame, in);
            return;
        }
        boolean expectsResponse = true;
        if (api == ApiKeys.PRODUCE) {
            try {
                expectsResponse = new ProduceRequestData(new ByteBufferAccessor(in), version).acks() != 0;
            } catch (RuntimeException e) {
                refuse("malformed Produce request: " + e.getMessage());
                return;
            }
        }
        if (expectsResponse) {
            inFlight.add(new InFlight(correlationId, api, version, null));
        }
        writeUpstream(frame);
    }

    /**
     * Checks a request against the policy before anything reaches the broker: parses it, resolves the topic ids it
     * names, and applies the API's enforcer's verdict. Reading pauses while ids are looked up, so order holds.
     */
    private void authorize(RequestHeader header, Buffer frame, ByteBuffer in) {
        ApiKeys api = header.apiKey();
        ApiEnforcer enforcer = Enforcers.forApi(api);
        if (enforcer == null) {
            refuse("API " + api.name + " has no authorization enforcement in the gateway");
            return;
        }
        ApiMessage body;
        try {
            body = AbstractRequest.parseRequest(api, header.apiVersion(), new ByteBufferAccessor(in.duplicate())).request.data();
        } catch (RuntimeException e) {
            refuse("malformed " + api.name + " request: " + e.getMessage());
            return;
        }
        List<Uuid> unknown = new ArrayList<>();
        for (Uuid id : enforcer.topicIds(header.apiVersion(), body)) {
            if (gateway.topicNames().cached(id).isEmpty()) {
                unknown.add(id);
            }
        }
        if (unknown.isEmpty()) {
            apply(header, frame, body, enforcer.enforce(access(), header.apiVersion(), body));
            return;
        }
        fromClient.pause();
        List<Future<?>> lookups = new ArrayList<>();
        unknown.forEach(id -> lookups.add(Future.fromCompletionStage(gateway.topicNames().resolve(id), listener.context())));
        Future.join(lookups).onComplete(done -> {
            if (closed) {
                return;
            }
            apply(header, frame, body, enforcer.enforce(access(), header.apiVersion(), body));
            resumeReading();
        });
    }

    private Access access() {
        return gateway.authorization().access(principal, clientHost);
    }

    private void apply(RequestHeader header, Buffer frame, ApiMessage body, Verdict verdict) {
        ApiKeys api = header.apiKey();
        short version = header.apiVersion();
        int correlationId = header.correlationId();
        if (verdict instanceof Verdict.Forward forward) {
            boolean expectsResponse = !(body instanceof ProduceRequestData produce && produce.acks() == 0);
            if (expectsResponse) {
                inFlight.add(new InFlight(correlationId, api, version, null, forward.edit()));
            }
            writeUpstream(forward.request() == null ? frame : KafkaFrames.request(header, forward.request()));
        } else if (verdict instanceof Verdict.Respond respond) {
            respondLocally(correlationId, api, version,
                    KafkaFrames.response(correlationId, api.responseHeaderVersion(version), respond.response(), version));
        } else if (verdict instanceof Verdict.Refuse refusal) {
            refuse("denied: " + refusal.reason());
        }
    }

    /** Applies an enforcer's edit to a broker response: decoded, changed, encoded again with the original header. */
    private static Buffer edited(InFlight request, Buffer frame) {
        KafkaFrames.Response response = KafkaFrames.splitResponse(frame, request.api(), request.version());
        ApiMessage body = AbstractResponse.parseResponse(request.api(), new ByteBufferAccessor(response.body()), request.version()).data();
        request.edit().edit(body);
        return KafkaFrames.frame(response.header(), KafkaFrames.serialize(body, request.version()));
    }

    /**
     * The SASL listener's gate in front of the usual path. Returns true when the request may go on to the broker;
     * otherwise it has been answered here or the connection refused.
     */
    private boolean saslAllows(ApiKeys api, short version, int correlationId, ByteBuffer body) {
        if (api == ApiKeys.SASL_HANDSHAKE || api == ApiKeys.SASL_AUTHENTICATE) {
            if (!SupportedApis.isSaslSupported(api, version)) {
                refuse("API " + api.name + " version " + version + " is not supported by the gateway");
            } else if (api == ApiKeys.SASL_HANDSHAKE) {
                sasl.onHandshake(correlationId, version, body);
            } else {
                sasl.onAuthenticate(correlationId, version, body);
            }
            return false;
        }
        if (!sasl.authenticated()) {
            if (api == ApiKeys.API_VERSIONS) {
                answerApiVersionsLocally(correlationId, version);
            } else {
                gateway.stats().refused();
                close(api.name + " request before SASL authentication completed; only ApiVersions, SaslHandshake "
                        + "and SaslAuthenticate are accepted until then");
            }
            return false;
        }
        if (System.currentTimeMillis() >= sasl.sessionExpiresAtMs() && !sasl.reauthenticating()) {
            gateway.stats().sessionExpired();
            close("SASL session expired without re-authentication");
            return false;
        }
        return true;
    }

    /** ApiVersions before authentication: answered from what the cluster supports, without touching a broker. */
    private void answerApiVersionsLocally(int correlationId, short version) {
        if (!SupportedApis.isSupported(ApiKeys.API_VERSIONS, version)) {
            respondLocally(correlationId, ApiKeys.API_VERSIONS, version, KafkaFrames.response(correlationId, (short) 0,
                    SupportedApis.unsupportedApiVersionsResponse(), (short) 0));
            return;
        }
        fromClient.pause();
        gateway.apiVersions().get(listener).onComplete(ar -> {
            if (ar.failed()) {
                LOG.info("event=upstream_unavailable listener={} client={} target={} reason=\"{}\"",
                        listener.listenerConfig().name(), peer, target(), ar.cause().getMessage());
                close(null);
                return;
            }
            ApiVersionsResponseData data = ar.result();
            if (gateway.authorization() != null) {
                SupportedApis.retain(data, Enforcers::isEnforced);
            }
            SupportedApis.addSasl(data);
            respondLocally(correlationId, ApiKeys.API_VERSIONS, version,
                    KafkaFrames.response(correlationId, (short) 0, data, version));
            resumeReading();
        });
    }

    @Override
    public void respond(int correlationId, ApiKeys api, short version, Buffer response) {
        respondLocally(correlationId, api, version, response);
    }

    @Override
    public void writeRaw(Buffer frame) {
        writeClient(frame);
    }

    @Override
    public void pauseReading() {
        fromClient.pause();
    }

    @Override
    public void resumeReading() {
        if (closed || sasl != null && sasl.authenticated() && upstream == null || upstream != null && upstream.writeQueueFull()) {
            return;
        }
        fromClient.resume();
    }

    @Override
    public void authenticated(String authenticatedPrincipal, boolean first) {
        if (closed) {
            return;
        }
        if (first) {
            principal = authenticatedPrincipal;
            gateway.stats().closed(info);
            info = new ConnectionInfo(listener.listenerConfig().name(), peer, principal);
            gateway.stats().opened(info);
            LOG.info("event=authenticated listener={} client={} principal=\"{}\" mechanism={}",
                    listener.listenerConfig().name(), peer, principal, sasl.mechanism());
            fromClient.pause();
            fromClient.limit(gateway.config().limits().maxFrameBytes());
            openUpstream();
        } else {
            LOG.debug("event=reauthenticated listener={} client={} principal=\"{}\"", listener.listenerConfig().name(), peer, principal);
        }
        scheduleSessionExpiry();
    }

    /** Closes the connection when the session lapses, unless a re-authentication is under way by then. */
    private void scheduleSessionExpiry() {
        if (sessionTimer >= 0) {
            listener.vertx().cancelTimer(sessionTimer);
            sessionTimer = -1;
        }
        long expiresAt = sasl.sessionExpiresAtMs();
        if (expiresAt == Long.MAX_VALUE) {
            return;
        }
        sessionTimer = listener.vertx().setTimer(Math.max(1, expiresAt - System.currentTimeMillis()), id -> {
            sessionTimer = -1;
            if (!closed && !sasl.reauthenticating()) {
                gateway.stats().sessionExpired();
                close("SASL session expired without re-authentication");
            }
        });
    }

    @Override
    public void failAndClose(Buffer lastResponse, String reason) {
        if (closed) {
            return;
        }
        fromClient.pause();
        gateway.stats().refused();
        if (lastResponse == null) {
            close(reason);
            return;
        }
        outputTail = outputTail.compose(v -> client.write(lastResponse)).eventually(() -> {
            close(reason);
            return Future.succeededFuture();
        });
    }

    @Override
    public String peer() {
        return peer;
    }

    private void onResponse(Buffer frame) {
        if (closed) {
            return;
        }
        InFlight request = inFlight.poll();
        if (request == null) {
            close("broker sent a response to no request");
            return;
        }
        int correlationId = KafkaFrames.correlationId(frame);
        if (correlationId != request.correlationId()) {
            close("broker response correlation id " + correlationId + " does not match request " + request.correlationId());
            return;
        }
        Future<Buffer> response;
        try {
            if (streaming != null) {
                int sent = streamedBytes;
                streaming = null;
                streamedBytes = 0;
                response = listener.rewriter().remainder(request.api(), request.version(), frame, sent);
            } else {
                response = listener.rewriter().rewrite(request.api(), request.version(),
                        request.edit() == null ? frame : edited(request, frame));
            }
        } catch (RuntimeException e) {
            response = Future.failedFuture(new IllegalStateException("unreadable " + request.api().name
                    + " v" + request.version() + " response from broker: " + e.getMessage(), e));
        }
        sendToClient(response);
        sendLocalResponsesAtHead();
    }

    /**
     * Forwards the beginning of a large response while the rest is still arriving, so a big Fetch costs the client
     * no extra wait for the gateway to receive it whole. Only when nothing is queued before it, and never the last
     * {@link ResponseRewriter#streamHoldBack} bytes, where a rewrite may still be needed.
     */
    private void onPartialResponse(Buffer soFar) {
        if (closed) {
            return;
        }
        if (streaming == null) {
            InFlight head = inFlight.peek();
            if (soFar.length() < 2 * KafkaFrames.SIZE_PREFIX || head == null || head.localResponse() != null || head.edit() != null
                    || !outputTail.isComplete() || KafkaFrames.SIZE_PREFIX + soFar.getInt(0) < STREAM_THRESHOLD
                    || !ResponseRewriter.canStream(head.api(), head.version())) {
                return;
            }
            if (KafkaFrames.correlationId(soFar) != head.correlationId()) {
                close("broker response correlation id " + KafkaFrames.correlationId(soFar)
                        + " does not match request " + head.correlationId());
                return;
            }
            streaming = head;
            streamedBytes = 0;
            gateway.stats().responseStreamed();
        }
        int total = KafkaFrames.SIZE_PREFIX + soFar.getInt(0);
        int sendable = Math.min(soFar.length(), total - ResponseRewriter.streamHoldBack(streaming.api(), streaming.version()));
        if (sendable > streamedBytes) {
            writeClient(soFar.slice(streamedBytes, sendable));
            streamedBytes = sendable;
        }
    }

    private void respondLocally(int correlationId, ApiKeys api, short version, Buffer response) {
        if (inFlight.isEmpty()) {
            sendToClient(Future.succeededFuture(response));
        } else {
            inFlight.add(new InFlight(correlationId, api, version, response));
        }
    }

    private void sendLocalResponsesAtHead() {
        while (!inFlight.isEmpty() && inFlight.peek().localResponse() != null) {
            sendToClient(Future.succeededFuture(inFlight.poll().localResponse()));
        }
    }

    /** Writes responses strictly in request order, even when one of them waits for a broker port to be bound. */
    private void sendToClient(Future<Buffer> response) {
        if (outputTail.isComplete() && response.isComplete()) {
            if (response.succeeded()) {
                writeClient(response.result());
            } else {
                close(response.cause().getMessage());
            }
            return;
        }
        outputTail = outputTail
                .compose(v -> response)
                .onSuccess(this::writeClient)
                .onFailure(e -> close(e.getMessage()))
                .mapEmpty();
    }

    private void writeClient(Buffer frame) {
        if (closed) {
            return;
        }
        client.write(frame);
        if (client.writeQueueFull() && !fromUpstream.isPaused()) {
            gateway.stats().upstreamReadPaused();
            fromUpstream.pause();
            client.drainHandler(v -> fromUpstream.resume());
        }
    }

    private void writeUpstream(Buffer frame) {
        upstream.write(frame);
        if (upstream.writeQueueFull() && !fromClient.isPaused()) {
            gateway.stats().clientReadPaused();
            fromClient.pause();
            upstream.drainHandler(v -> fromClient.resume());
        }
    }

    /** Closes the connection because of what the client sent. */
    private void refuse(String reason) {
        gateway.stats().refused();
        close(reason);
    }

    private void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        if (sessionTimer >= 0) {
            listener.vertx().cancelTimer(sessionTimer);
        }
        if (reason != null) {
            LOG.info("event=connection_closed listener={} client={} principal=\"{}\" target={} reason=\"{}\"",
                    listener.listenerConfig().name(), peer, principal, target(), reason);
        }
        client.close();
        if (upstream != null && !upstreamClosed) {
            upstream.close();
        }
    }

    private void onClientClosed() {
        gateway.stats().clientClosed();
        gateway.stats().closed(info);
        closed = true;
        if (sessionTimer >= 0) {
            listener.vertx().cancelTimer(sessionTimer);
        }
        if (upstream != null && !upstreamClosed) {
            upstream.close();
        }
    }

    /**
     * The principal Kafka would give this client: its certificate's subject through the listener's mapping
     * rules, or ANONYMOUS without a certificate. A certificate no rule matches gets none: the connection is refused.
     */
    static Optional<String> principalOf(NetSocket socket, TlsConfig tls) {
        if (tls == null || !socket.isSsl()) {
            return Optional.of(CertificatePrincipals.ANONYMOUS);
        }
        try {
            List<Certificate> chain = socket.peerCertificates();
            if (!chain.isEmpty() && chain.get(0) instanceof X509Certificate x509) {
                return Optional.of(tls.principals().principalOf(x509));
            }
        } catch (SSLPeerUnverifiedException noClientCertificate) {
            // clientAuth none or requested, and the client sent none
        } catch (IllegalArgumentException unmapped) {
            LOG.info("event=connection_refused client={} reason=\"{}\"", socket.remoteAddress(), unmapped.getMessage());
            return Optional.empty();
        }
        return Optional.of(CertificatePrincipals.ANONYMOUS);
    }

    String principal() {
        return principal;
    }

    private String target() {
        return targetNode.isEmpty() ? "bootstrap" : "node-" + targetNode.getAsInt();
    }
}
