package io.warden.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.warden.authn.CertificatePrincipals;
import io.warden.gateway.config.HostPort;
import io.warden.gateway.config.LimitsConfig;
import io.warden.gateway.config.TlsConfig;
import io.warden.gateway.protocol.FetchMaxBytes;
import io.warden.gateway.protocol.KafkaFrames;
import io.warden.gateway.protocol.SupportedApis;
import io.warden.gateway.protocol.ThrottleTime;
import io.warden.gateway.enforce.Access;
import io.warden.gateway.enforce.ApiEnforcer;
import io.warden.gateway.enforce.Enforcers;
import io.warden.gateway.enforce.RecordingAccess;
import io.warden.gateway.enforce.Verdict;
import io.warden.gateway.audit.ConnectionAudit;
import io.warden.gateway.admin.KafkaAclRequests;
import io.warden.gateway.admin.ClientQuotasAnswer;
import io.warden.gateway.admin.ScramCredentialsAnswer;
import io.warden.audit.AuditEvent;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
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

    /**
     * A request awaiting its response; {@code version} is the client's, {@code upstreamVersion} the one it went to the
     * broker at (the same, unless an enforcer asked for another: the response is then encoded again at the client's);
     * {@code localResponse} is set when the gateway answers it itself; {@code throttleMs} is the throttle time a
     * Produce earned by going over its principal's quota. With metrics on, {@code receivedAt} and {@code sentAt} are
     * when it was read from the client and sent to the broker.
     */
    private record InFlight(int correlationId, ApiKeys api, short version, short upstreamVersion, Buffer localResponse,
                            Verdict.ResponseEdit edit, ConnectionAudit.Pending audit, int throttleMs, long receivedAt,
                            long sentAt) {
        InFlight(int correlationId, ApiKeys api, short version, Buffer localResponse) {
            this(correlationId, api, version, version, localResponse, null, null, 0, 0, 0);
        }

        boolean versionChanged() {
            return upstreamVersion != version;
        }
    }

    /** Requests waiting for their audit event to be written (fail-closed) before reading from the client pauses. */
    static final int MAX_AWAITING_AUDIT = 32;

    /** How long a refused request's connection waits for the answers to the requests before it, at most. */
    static final long REFUSAL_DRAIN_MS = 30_000;
    /** First Produce and Fetch version that names topics by id. */
    private static final short TOPIC_IDS = 13;

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
    /** The client's address as Kafka shows a group member's host ("/" and the IP address); null without one. */
    private final String memberHost;
    /** Who the client is, as far as the transport tells: {@code User:<subject DN>} for a TLS client certificate. */
    private String principal = CertificatePrincipals.ANONYMOUS;
    private ConnectionInfo info;

    private NetSocket upstream;
    private FrameDecoder fromUpstream;
    private Future<Void> outputTail = Future.succeededFuture();
    /** The request whose response is being forwarded while it arrives, and how many of its bytes are out. */
    private InFlight streaming;
    private int streamedBytes;
    /** The Fetch whose response, arriving in pieces, was recorded against the quota as it began, and was within it. */
    private InFlight fetchRecorded;
    private boolean closed;
    private boolean upstreamClosed;
    /** SASL state on a SASL listener, else null. */
    private final SaslGate sasl;
    private long sessionTimer = -1;
    /**
     * The gateway's own session on the broker connection (KIP-368): the timer that renews it before the broker's
     * lifetime runs out; whether a renewal is due, so that requests wait until the broker has answered those in
     * flight and the login has run; and the requests held meanwhile, in order.
     */
    private long upstreamReauthTimer = -1;
    private boolean upstreamReauthDue;
    private boolean upstreamReauthRunning;
    private final ArrayDeque<Runnable> heldForUpstreamReauth = new ArrayDeque<>();
    /** Why the connection closes once the requests before a refused one are answered; null until then. */
    private String refusedFor;
    private long refusalTimer = -1;
    /** On a SASL listener until the first login: the timer that closes a connection which has not logged in, or -1. */
    private long loginTimer = -1;
    private final ConnectionAudit audit;
    /**
     * Requests leave for the broker, and local answers for the client, in the order they came, after the audit
     * events they wait for (fail-closed); this is the last of them.
     */
    private Future<Void> auditTail = Future.succeededFuture();
    private int awaitingAudit;
    private String closeReason;
    /** This connection's principal's series, per request. */
    private GatewayMetrics.PrincipalMeters meters = GatewayMetrics.PrincipalMeters.NONE;
    /** When the request being handled was read, with metrics on (requests are handled one at a time). */
    private long requestReceivedAt;
    /** Requests read from the client, and those answered or needing no answer: the difference is in flight. */
    private long requestsRead;
    private long requestsAnswered;
    /** Shutdown: no further request is read, and the connection closes once nothing is in flight. */
    private boolean draining;
    /** The shared byte rates that hold this connection, or null when no quota does. */
    private ClientQuotas.Rates quota;
    /** The principal is known: the next request takes the connection's share of the quotas. */
    private boolean quotaDue;
    /** The {@link ClientQuotas#generation} {@link #quota} was taken at: another one means the quotas changed. */
    private int quotaGeneration;
    /** The timer that ends the current throttle (reading from the client is muted until then), or -1. */
    private long throttleTimer = -1;
    private long throttledUntil;
    /**
     * Requests being decided off the request path (topic ids looked up, ACL requests answered, a SASL step, the
     * cluster's ApiVersions): reading stays paused until each is done, so that nothing overtakes them.
     */
    private int holds;

    ClientConnection(ListenerVerticle listener, NetSocket client, OptionalInt targetNode) {
        this.listener = listener;
        this.gateway = listener.gateway();
        this.client = client;
        this.targetNode = targetNode;
        this.peer = String.valueOf(client.remoteAddress());
        this.clientHost = client.remoteAddress() == null ? "" : client.remoteAddress().hostAddress();
        this.memberHost = clientHost.isEmpty() ? null : "/" + clientHost;
        this.sasl = listener.listenerConfig().sasl() == null ? null : new SaslGate(listener.vertx(),
                gateway.authentication(), listener.listenerConfig().sasl(), gateway.stats(), this);
        this.audit = new ConnectionAudit(gateway.audit(), gateway.topicNames(), listener.listenerConfig().name(), client.remoteAddress());
        this.fromClient = new FrameDecoder(sasl == null ? gateway.config().limits().maxFrameBytes() : MAX_PRE_AUTHENTICATION_FRAME_BYTES,
                false, client, this::onRequest, reason -> refuse(reason));
    }

    void start() {
        if (listener.draining()) {
            LOG.info("event=connection_refused listener={} client={} reason=\"gateway shutting down\"",
                    listener.listenerConfig().name(), peer);
            client.close();
            return;
        }
        LimitsConfig limits = gateway.config().limits();
        int maxFromHost = limits.maxConnectionsFrom(clientHost);
        int creationRate = limits.connectionCreationRateFrom(clientHost);
        String overLimit = gateway.stats().admit(clientHost, limits.maxConnections(), maxFromHost, creationRate);
        if (overLimit != null) {
            if (gateway.stats().limitLogDue()) {
                LOG.info("event=connection_refused listener={} client={} limit={} reason=\"{}\" refused_total={} refused_per_ip={} "
                                + "refused_creation_rate={}",
                        listener.listenerConfig().name(), peer, overLimit, switch (overLimit) {
                            case "total" -> "the gateway holds its maximum of " + limits.maxConnections() + " connections";
                            case "per_ip" -> clientHost + " holds its maximum of " + maxFromHost + " connections";
                            default -> clientHost + " opened " + creationRate
                                    + " connections within the last second, its maximum rate";
                        },
                        gateway.stats().refusedByLimit("total"), gateway.stats().refusedByLimit("per_ip"),
                        gateway.stats().refusedByLimit("creation_rate"));
            }
            client.close();
            return;
        }
        gateway.stats().clientOpened();
        ClientTls tls = listener.clientTls();
        if (tls == null) {
            established();
            return;
        }
        // Counted from here on, as Kafka counts a connection once accepted; what the client sends after its
        // handshake waits in the paused socket until the connection is set up.
        fromClient.pause();
        tls.handshake(client).onComplete(handshake -> {
            if (handshake.succeeded() && !listener.draining()) {
                established();
                return;
            }
            LOG.info("event=connection_refused listener={} client={} reason=\"{}\"", listener.listenerConfig().name(), peer,
                    handshake.succeeded() ? "gateway shutting down" : handshakeFailure(handshake.cause()));
            dropAdmitted();
        });
    }

    /** Why a TLS handshake failed, in words (a client that went away gives an exception without a message). */
    private static String handshakeFailure(Throwable cause) {
        if (cause instanceof java.nio.channels.ClosedChannelException) {
            return "the client closed the connection during the TLS handshake";
        }
        if (cause instanceof ClientTls.IdleHandshakeException) {
            return cause.getMessage();
        }
        return "TLS handshake failed: " + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName());
    }

    /** Closes a connection admitted but never set up, giving its place back. */
    private void dropAdmitted() {
        gateway.stats().clientClosed();
        gateway.stats().release(clientHost);
        client.close();
    }

    /** Sets up a connection admitted, and on a TLS listener past its handshake: its principal, audit and forwarding. */
    private void established() {
        LimitsConfig limits = gateway.config().limits();
        // As Kafka's DefaultKafkaPrincipalBuilder: on a SASL listener the principal comes from SASL. TLS has verified
        // any client certificate (clientAuth), but the mapping rules do not judge it.
        Optional<String> mapped = sasl != null ? Optional.of(CertificatePrincipals.ANONYMOUS)
                : principalOf(client, listener.listenerConfig().tls());
        if (mapped.isEmpty()) {
            audit.authenticationFailed("SSL", null, "client certificate matches no principal mapping rule");
            gateway.stats().refused();
            dropAdmitted();
            return;
        }
        principal = mapped.get();
        audit.principal(principal);
        audit.opened();
        info = new ConnectionInfo(listener.listenerConfig().name(), peer, principal, sasl == null);
        gateway.stats().opened(info);
        meters = gateway.metrics().principal(principal);
        if (sasl == null) {
            quotaDue = true;
        }
        client.handler(fromClient);
        client.closeHandler(v -> onClientClosed());
        client.exceptionHandler(e -> close("client connection error: " + e.getMessage()));
        listener.track(this);
        if (sasl == null) {
            fromClient.pause();
            openUpstream();
        } else {
            awaitLogin(limits.loginTimeout());
            fromClient.resume(); // paused during a TLS handshake
        }
    }

    /** Closes the connection if it has not logged in within {@code timeout} (zero: no limit). */
    private void awaitLogin(Duration timeout) {
        if (timeout.isZero()) {
            return;
        }
        loginTimer = listener.vertx().setTimer(timeout.toMillis(), id -> {
            loginTimer = -1;
            if (!closed) {
                gateway.stats().loginTimedOut();
                close("no SASL login within " + timeout.toSeconds() + " s of connecting (limits.loginTimeoutSeconds)");
            }
        });
    }

    /** Connects to the broker (logging in as the gateway where the brokers need SASL), then starts forwarding. */
    private void openUpstream() {
        Future<NetSocket> connected = connectUpstream();
        UpstreamLogin login = gateway.upstreamLogin();
        if (login != null) {
            connected = connected.compose(socket -> {
                BrokerCall call = new BrokerCall(socket, listener.vertx(), gateway.config().upstream().metadataTimeout());
                return login.login(call, listener.vertx())
                        .map(lifetimeMs -> {
                            scheduleUpstreamReauth(lifetimeMs);
                            return call.release();
                        })
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
        upstream.closeHandler(v -> onUpstreamClosed());
        if (closed) {
            upstream.close();
            return;
        }
        fromUpstream = new FrameDecoder(Integer.MAX_VALUE, true, upstream, this::onResponse,
                reason -> close("invalid frame from broker: " + reason));
        fromUpstream.onPartialFrame(this::onPartialResponse);
        upstream.handler(fromUpstream);
        upstream.exceptionHandler(e -> close("broker connection error: " + e.getMessage()));
        resumeReading();
    }

    private void onUpstreamClosed() {
        upstreamClosed = true;
        gateway.stats().upstreamClosed();
        if (!closed) {
            LOG.debug("event=upstream_closed listener={} client={} target={}", listener.listenerConfig().name(), peer, target());
            close(null);
        }
    }

    /**
     * Renews the gateway's session on the broker connection at 85–95 % of the lifetime the broker gave (as Kafka's
     * clients do), so that a broker with {@code connections.max.reauth.ms} never closes a connection a client is
     * using. A lifetime of 0 needs no renewal.
     */
    private void scheduleUpstreamReauth(long lifetimeMs) {
        if (lifetimeMs <= 0 || closed) {
            return;
        }
        long delay = Math.max(1, (long) (lifetimeMs * (0.85 + 0.10 * ThreadLocalRandom.current().nextDouble())));
        upstreamReauthTimer = listener.vertx().setTimer(delay, id -> {
            upstreamReauthTimer = -1;
            if (!closed) {
                upstreamReauthDue = true;
                holdReading();
                reauthenticateUpstreamWhenIdle();
            }
        });
    }

    /**
     * Once no request waits for the broker (and the broker's answers are being read), logs in again on the same
     * connection, then sends the requests held meanwhile and reads from the client again.
     */
    private void reauthenticateUpstreamWhenIdle() {
        if (!upstreamReauthDue || upstreamReauthRunning || closed || !inFlight.isEmpty() || upstream == null
                || fromUpstream == null || fromUpstream.isPaused()) {
            return;
        }
        upstreamReauthRunning = true;
        NetSocket socket = upstream;
        BrokerCall call = new BrokerCall(socket, listener.vertx(), gateway.config().upstream().metadataTimeout());
        gateway.upstreamLogin().login(call, listener.vertx()).onComplete(ar -> {
            call.release();
            String failure = ar.failed() ? "the gateway's re-authentication to the broker failed: " + ar.cause().getMessage() : null;
            if (call.closed()) {
                // The broker connection closed during the login, while this connection's handlers were off it.
                close(failure);
                onUpstreamClosed();
                return;
            }
            socket.closeHandler(v -> onUpstreamClosed());
            socket.exceptionHandler(e -> close("broker connection error: " + e.getMessage()));
            if (closed || failure != null) {
                close(failure);
                socket.close();
                return;
            }
            socket.handler(fromUpstream);
            gateway.stats().upstreamReauthenticated();
            LOG.debug("event=upstream_reauthenticated listener={} client={} target={} sessionLifetimeMs={}",
                    listener.listenerConfig().name(), peer, target(), ar.result());
            upstreamReauthDue = false;
            upstreamReauthRunning = false;
            scheduleUpstreamReauth(ar.result());
            List<Runnable> held = new ArrayList<>(heldForUpstreamReauth);
            heldForUpstreamReauth.clear();
            held.forEach(Runnable::run);
            releaseReading();
            closeOnceAnswered(); // a refusal made while the renewal was due waited for it
        });
    }

    private void onRequest(Buffer frame) {
        try {
            handleRequest(frame);
        } catch (RuntimeException e) {
            couldNotHandle(e);
        }
    }

    /**
     * A request that made the gateway's own handling fail: the connection closes, as for any request the gateway
     * cannot read, rather than leave the request unanswered.
     */
    private void couldNotHandle(RuntimeException e) {
        LOG.debug("event=request_failed listener={} client={}", listener.listenerConfig().name(), peer, e);
        refuse("the request could not be handled: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    private void handleRequest(Buffer frame) {
        if (closed) {
            return;
        }
        gateway.stats().bytesFromClient(frame.length());
        if (gateway.metrics().on()) {
            requestReceivedAt = System.nanoTime();
            meters.request(frame.length());
        }
        if (sasl != null && sasl.expectsRawToken()) {
            sasl.onRawToken(frame);
            return;
        }
        requestsRead++;
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
        audit.clientId(header.clientId());

        if (sasl != null && !saslAllows(api, version, correlationId, in)) {
            return;
        }
        if (quotaDue || quotaGeneration != gateway.quotas().generation()) {
            acquireQuota(header.clientId());
        }

        if (api == ApiKeys.API_VERSIONS && !SupportedApis.isSupported(api, version)) {
            answerUnsupportedApiVersions(correlationId, version);
            return;
        }
        if (gateway.aclRequests() != null && KafkaAclRequests.handles(api)) {
            answerLocally(header, in, gateway.aclRequests()::answer);
            return;
        }
        if (SupportedApis.isAnsweredByGateway(api, version)) {
            answerLocally(header, in, gatewayAnswer(api));
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
        // Without a policy, the audit trail still names topics: ids it has not learned are looked up first.
        boolean namesTopicsById = audit.on() && (api == ApiKeys.PRODUCE || api == ApiKeys.FETCH) && version >= TOPIC_IDS;
        ApiMessage body = null;
        if (api == ApiKeys.PRODUCE || audit.audits(api) && api != ApiKeys.FETCH || namesTopicsById
                || GroupMemberHostEdits.needsRequest(api)) {
            try {
                body = AbstractRequest.parseRequest(api, version, new ByteBufferAccessor(in)).request.data();
            } catch (RuntimeException e) {
                refuse("malformed " + api.name + " request: " + e.getMessage());
                return;
            }
        }
        Set<Uuid> missing = namesTopicsById ? gateway.topicNames().missing(Enforcers.forApi(api).topicIds(version, body)) : Set.of();
        if (missing.isEmpty()) {
            forwardUnchecked(header, frame, body);
            return;
        }
        ApiMessage parsed = body;
        afterLookUp(missing, () -> forwardUnchecked(header, frame, parsed));
    }

    /**
     * Looks up topic ids the request names and the gateway does not know, then goes on with the request; reading is
     * held meanwhile, so that nothing overtakes it.
     */
    private void afterLookUp(Set<Uuid> missing, Runnable next) {
        holdReading();
        Future.fromCompletionStage(gateway.topicNames().lookUp(missing), listener.context()).onComplete(done -> {
            if (closed) {
                return;
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                couldNotHandle(e);
                return;
            }
            releaseReading();
        });
    }

    /** Forwards a request no policy checks (there is none, or its API needs no check). */
    private void forwardUnchecked(RequestHeader header, Buffer frame, ApiMessage body) {
        ApiMessage audited = header.apiKey() == ApiKeys.FETCH ? null : body; // a Fetch is audited from its response
        countProduced(audited);
        forward(header, frame, frame, memberHosts(header.apiKey(), body, null), audit.request(header, audited),
                !(body instanceof ProduceRequestData produce && produce.acks() == 0));
    }

    /**
     * Sends a request to the broker, remembering how to read its response. With fail-closed auditing the request's
     * event is durably written first; when it cannot be, the client gets a retriable error and the broker nothing.
     *
     * @param clientFrame the request as the client sent it, for the error answer
     * @param frame       what goes to the broker (the client's frame or a rewritten one)
     */
    private void forward(RequestHeader header, Buffer clientFrame, Buffer frame, Verdict.ResponseEdit edit,
                         ConnectionAudit.Pending pending, boolean expectsResponse) {
        forward(header, clientFrame, frame, edit, pending, expectsResponse, null);
    }

    /** As above; {@code then}, when set, runs once the request has been written to the broker. */
    private void forward(RequestHeader header, Buffer clientFrame, Buffer frame, Verdict.ResponseEdit edit,
                         ConnectionAudit.Pending pending, boolean expectsResponse, Runnable then) {
        CompletableFuture<Void> gate = null;
        if (pending != null && !expectsResponse) {
            gate = audit.unanswered(pending);
        } else if (audit.failClosed()) {
            AuditEvent intent = audit.intent(pending);
            if (intent != null) {
                gate = gateway.audit().record(intent);
            }
        }
        long receivedAt = requestReceivedAt;
        if (gate == null && auditTail.isComplete()) {
            sendUpstream(header, frame, edit, pending, expectsResponse, receivedAt, then); // no audit write to wait for: no closures
            return;
        }
        afterAudit(gate, () -> sendUpstream(header, frame, edit, pending, expectsResponse, receivedAt, then),
                failure -> refuseUnaudited(header, clientFrame, pending, expectsResponse, failure),
                () -> audit.closedBeforeForwarding(pending, !expectsResponse));
    }

    /** Writes the request to the broker, then runs {@code then} when set. */
    private void sendUpstream(RequestHeader header, Buffer frame, Verdict.ResponseEdit edit, ConnectionAudit.Pending pending,
                              boolean expectsResponse, long receivedAt, Runnable then) {
        if (upstreamReauthDue) {
            // The gateway's session on the broker is being renewed: this request follows the login.
            heldForUpstreamReauth.add(() -> sendUpstream(header, frame, edit, pending, expectsResponse, receivedAt, then));
            return;
        }
        Buffer out = frame;
        if (quota != null && header.apiKey() == ApiKeys.FETCH && quota.fetchMaxBytes() < Integer.MAX_VALUE) {
            try {
                out = FetchMaxBytes.cap(frame, quota.fetchMaxBytes());
            } catch (RuntimeException e) {
                refuse("malformed FETCH request: " + e.getMessage());
                return;
            }
        }
        gateway.stats().request(header.apiKey(), GatewayStats.Outcome.FORWARDED);
        int throttleMs = 0;
        if (quota != null && header.apiKey() == ApiKeys.PRODUCE) {
            throttleMs = quota.produced(frame.length());
            if (throttleMs > 0 && !expectsResponse) {
                throttle(ApiKeys.PRODUCE, throttleMs); // acks=0: no response to carry it, so only the mute holds back
            }
        }
        if (expectsResponse) {
            // the version the frame itself carries (after the api key), which the broker answers at
            short upstreamVersion = out.getShort(KafkaFrames.SIZE_PREFIX + 2);
            addInFlight(new InFlight(header.correlationId(), header.apiKey(), header.apiVersion(), upstreamVersion, null, edit,
                    pending, throttleMs, receivedAt, receivedAt == 0 ? 0 : System.nanoTime()));
        }
        writeUpstream(out);
        if (!expectsResponse) {
            requestAnswered();
        }
        if (then != null) {
            then.run();
        }
    }

    /** Counts a produce request's record bytes by topic, as forwarded (without what the policy removed). */
    private void countProduced(ApiMessage body) {
        if (body instanceof ProduceRequestData produce && gateway.metrics().on()) {
            for (ProduceRequestData.TopicProduceData topic : produce.topicData()) {
                int bytes = 0;
                for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                    bytes += partition.records() == null ? 0 : partition.records().sizeInBytes();
                }
                gateway.metrics().produced(gateway.topicNames().nameOf(topic.name(), topic.topicId()), bytes);
            }
        }
    }

    /**
     * Fail-closed: the request's audit event could not be written, so it is answered with a retriable error, and the
     * trail told so: the sinks that took its event must not show it as forwarded. Also when the connection closed
     * while the event was being written: the request is not forwarded then either.
     */
    private void refuseUnaudited(RequestHeader header, Buffer clientFrame, ConnectionAudit.Pending pending, boolean expectsResponse,
                                 Throwable failure) {
        String then = closed ? "the connection had closed"
                : expectsResponse ? "answered KAFKA_STORAGE_ERROR, which clients retry" : "the connection was closed";
        audit.notForwarded(pending, !expectsResponse, failure.getMessage(), then);
        if (closed) {
            return;
        }
        gateway.stats().refused();
        LOG.info("event=audit_unavailable listener={} client={} principal=\"{}\" api={} reason=\"{}\"",
                listener.listenerConfig().name(), peer, principal, header.apiKey().name, failure.getMessage());
        if (!expectsResponse) {
            close("request refused: its audit event could not be written");
            return;
        }
        respondNow(header.correlationId(), header.apiKey(), header.apiVersion(), auditUnavailable(header, clientFrame));
    }

    /** The request's own error answer with a retriable error: the audit trail could not take its event. */
    private static Buffer auditUnavailable(RequestHeader header, Buffer clientFrame) {
        ByteBuffer in = KafkaFrames.payload(clientFrame);
        RequestHeader.parse(in);
        AbstractRequest request = AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(), new ByteBufferAccessor(in)).request;
        AbstractResponse response = request.getErrorResponse(0, new KafkaStorageException("audit trail unavailable; retry"));
        return KafkaFrames.response(header.correlationId(), header.apiKey().responseHeaderVersion(header.apiVersion()),
                response.data(), header.apiVersion());
    }

    /**
     * Runs {@code action} once {@code gate} (an audit write, may be null) has completed and everything before it has
     * run, so that requests and local answers keep their order, or {@code onClosed} if the connection has closed
     * meanwhile; {@code onFailure} instead when the write failed, closed or not.
     */
    private void afterAudit(CompletableFuture<Void> gate, Runnable action, java.util.function.Consumer<Throwable> onFailure,
                            Runnable onClosed) {
        if (auditTail.isComplete() && (gate == null || gate.isDone() && !gate.isCompletedExceptionally())) {
            action.run();
            return;
        }
        Future<Void> written = gate == null ? Future.succeededFuture() : Future.fromCompletionStage(gate, listener.context());
        awaitingAudit++;
        if (awaitingAudit >= MAX_AWAITING_AUDIT) {
            fromClient.pause();
        }
        auditTail = auditTail.transform(previous -> written).transform(ar -> {
            awaitingAudit--;
            if (ar.failed()) {
                onFailure.accept(ar.cause()); // also once closed: the trail still says what became of the request
            } else if (!closed) {
                action.run();
            } else {
                onClosed.run();
            }
            if (!closed && awaitingAudit == MAX_AWAITING_AUDIT - 1) {
                resumeReading();
            }
            return Future.succeededFuture();
        });
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
        Set<Uuid> missing = gateway.topicNames().missing(enforcer.topicIds(header.apiVersion(), body));
        if (missing.isEmpty()) {
            decide(header, frame, body, enforcer);
            return;
        }
        afterLookUp(missing, () -> decide(header, frame, body, enforcer));
    }

    /** How the gateway answers one of {@link SupportedApis#GATEWAY_APIS} from its own users, quotas and limits. */
    private LocalAnswer gatewayAnswer(ApiKeys api) {
        return switch (api) {
            case DESCRIBE_USER_SCRAM_CREDENTIALS -> (request, access) -> ScramCredentialsAnswer.answer(request, access,
                    gateway.authentication() == null ? null : gateway.authentication().credentials());
            case DESCRIBE_CLIENT_QUOTAS -> (request, access) -> ClientQuotasAnswer.answer(request, access, gateway.quotas().config(),
                    gateway.config().limits());
            default -> throw new IllegalArgumentException(api.name + " is not answered by the gateway");
        };
    }

    /** How the gateway answers a request itself; {@code access} is null without a policy. */
    @FunctionalInterface
    private interface LocalAnswer {
        ApiMessage answer(AbstractRequest request, RecordingAccess access) throws Exception;
    }

    /**
     * A request the gateway answers itself, never forwarded: CreateAcls, DescribeAcls, DeleteAcls from and into its
     * own policy, DescribeUserScramCredentials from its own users, DescribeClientQuotas from its own quotas. Answered
     * off the event loop, as the policy store may block; reading pauses meanwhile so that answers keep their order.
     * Denials are audited and counted.
     */
    private void answerLocally(RequestHeader header, ByteBuffer in, LocalAnswer answerer) {
        ApiKeys api = header.apiKey();
        short version = header.apiVersion();
        AbstractRequest request;
        try {
            request = AbstractRequest.parseRequest(api, version, new ByteBufferAccessor(in)).request;
        } catch (RuntimeException e) {
            refuse("malformed " + api.name + " request: " + e.getMessage());
            return;
        }
        RecordingAccess recording = gateway.authorization() == null ? null
                : new RecordingAccess(gateway.authorization().access(principal, clientHost));
        holdReading();
        listener.vertx().executeBlocking(() -> answerer.answer(request, recording), false).onComplete(ar -> {
            if (closed) {
                return;
            }
            if (ar.failed()) {
                close(api.name + " could not be answered: " + ar.cause().getMessage());
                return;
            }
            Buffer answer = KafkaFrames.response(header.correlationId(), api.responseHeaderVersion(version), ar.result(), version);
            List<String> denied = recording == null ? List.of() : recording.denied();
            ConnectionAudit.Pending pending = audit.denials(null, header, denied);
            if (pending != null) {
                KafkaFrames.Response split = KafkaFrames.splitResponse(answer, api, version);
                audit.response(pending, AbstractResponse.parseResponse(api, new ByteBufferAccessor(split.body()), version));
            }
            countDenials(denied);
            gateway.stats().request(api, denied.isEmpty() ? GatewayStats.Outcome.ANSWERED : GatewayStats.Outcome.DENIED);
            respondLocally(header.correlationId(), api, version, answer);
            releaseReading();
        });
    }

    /**
     * Has a broker auto-create these missing topics (those the principal may create, of a Metadata request that also
     * names topics it may not create, which therefore went with auto-creation off), those of them not asked for lately
     * ({@link RecentAutoCreations}). The client's answer, as Kafka's for a topic being auto-created, says they are
     * missing, and the client asks again; a failure is logged.
     */
    private void autoCreate(List<String> missing, short version) {
        List<String> topics = gateway.autoCreations().claim(missing);
        if (topics.isEmpty()) {
            return; // asked for lately, by this client or another
        }
        gateway.stats().autoCreationRequested();
        AutoTopicCreation.request(listener, topics, version).onComplete(ar -> {
            gateway.autoCreations().answered(topics);
            if (ar.failed()) {
                LOG.info("event=auto_create_failed listener={} client={} principal=\"{}\" topics={} reason=\"{}\"",
                        listener.listenerConfig().name(), peer, principal, topics, ar.cause().getMessage());
            } else if (LOG.isDebugEnabled()) {
                Map<String, Errors> answered = new java.util.LinkedHashMap<>();
                ar.result().topics().forEach(t -> answered.put(t.name(), Errors.forCode(t.errorCode())));
                LOG.debug("event=auto_create listener={} client={} principal=\"{}\" answered={}",
                        listener.listenerConfig().name(), peer, principal, answered);
            }
        });
    }

    /** Counts denied checks by resource type, from {@link RecordingAccess}'s {@code OPERATION type:name}. */
    private void countDenials(List<String> denied) {
        for (String d : denied) {
            int space = d.indexOf(' ');
            int colon = d.indexOf(':', space + 1);
            gateway.stats().denied(space < 0 || colon < 0 ? "unknown" : d.substring(space + 1, colon));
        }
    }

    /**
     * The edit of a forwarded request's answer: the enforcer's, if any, then that which shows group members' own
     * client hosts instead of the gateway's.
     */
    private Verdict.ResponseEdit memberHosts(ApiKeys api, ApiMessage request, Verdict.ResponseEdit enforcerEdit) {
        return Verdict.ResponseEdit.chain(enforcerEdit, GroupMemberHostEdits.forRequest(gateway.memberHosts(), api, request, memberHost));
    }

    /** Enforces the policy on a parsed request and acts on the verdict, auditing what it refused. */
    private void decide(RequestHeader header, Buffer frame, ApiMessage body, ApiEnforcer enforcer) {
        ConnectionAudit.Pending pending = audit.request(header, body);
        Access access = gateway.authorization().access(principal, clientHost);
        RecordingAccess recording = new RecordingAccess(access);
        Verdict verdict = enforcer.enforce(recording, header.apiVersion(), body);
        List<String> denied = recording.denied();
        ApiKeys api = header.apiKey();
        short version = header.apiVersion();
        int correlationId = header.correlationId();
        if (verdict instanceof Verdict.Forward forward) {
            if (forward.request() != null || forward.edit() != null) {
                countDenials(denied);
                pending = audit.denials(pending, header, denied, forward.request());
            }
            boolean expectsResponse = !(body instanceof ProduceRequestData produce && produce.acks() == 0);
            countProduced(forward.request() == null ? body : forward.request());
            Runnable then = forward.closeAfter() == null ? null : () -> {
                gateway.stats().request(api, GatewayStats.Outcome.REFUSED);
                refuse("denied: " + forward.closeAfter());
            };
            short upstreamVersion = forward.upstreamVersion(version);
            RequestHeader upstreamHeader = upstreamVersion == version ? header
                    : new RequestHeader(api, upstreamVersion, header.clientId(), correlationId);
            Verdict.ResponseEdit edit = memberHosts(api, body, forward.edit());
            if (!forward.autoCreate().isEmpty()) {
                edit = Verdict.ResponseEdit.chain(edit, response -> {
                    List<String> missing = forward.missingToCreate(response);
                    if (!missing.isEmpty()) {
                        autoCreate(missing, upstreamVersion);
                    }
                });
            }
            forward(header, frame, forward.request() == null ? frame : KafkaFrames.request(upstreamHeader, forward.request()),
                    edit, pending, expectsResponse, then);
        } else if (verdict instanceof Verdict.Respond respond) {
            countDenials(denied);
            gateway.stats().request(api, denied.isEmpty() ? GatewayStats.Outcome.ANSWERED : GatewayStats.Outcome.DENIED);
            Buffer answer = KafkaFrames.response(correlationId, api.responseHeaderVersion(version), respond.response(), version);
            pending = audit.denials(pending, header, denied);
            if (pending != null) {
                KafkaFrames.Response split = KafkaFrames.splitResponse(answer, api, version);
                audit.response(pending, AbstractResponse.parseResponse(api, new ByteBufferAccessor(split.body()), version));
            }
            respondLocally(correlationId, api, version, answer);
        } else if (verdict instanceof Verdict.Refuse refusal) {
            countDenials(denied);
            gateway.stats().request(api, GatewayStats.Outcome.REFUSED);
            audit.refused(api, version, correlationId, refusal.reason(), refusal.error(), denied);
            refuse("denied: " + refusal.reason());
        }
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
                if (sasl.reauthenticating()) {
                    // As Kafka: a re-authentication's SASL frames are held to the limit of a first login's.
                    fromClient.limit(MAX_PRE_AUTHENTICATION_FRAME_BYTES);
                }
            } else {
                sasl.onAuthenticate(correlationId, version, body);
            }
            return false;
        }
        if (!sasl.authenticated()) {
            if (api == ApiKeys.API_VERSIONS) {
                answerApiVersionsLocally(correlationId, version);
            } else {
                refuseOutsideSasl(api, version, correlationId, api.name + " request before SASL authentication completed;"
                        + " only ApiVersions, SaslHandshake and SaslAuthenticate are accepted until then");
            }
            return false;
        }
        if (sasl.reauthenticating()) {
            // As Kafka: once a re-authentication has begun, only its SaslAuthenticate requests may follow.
            refuseOutsideSasl(api, version, correlationId, api.name
                    + " request during SASL re-authentication; only SaslAuthenticate is accepted until it completes");
            return false;
        }
        if (System.currentTimeMillis() >= sasl.sessionExpiresAtMs()) {
            gateway.stats().sessionExpired();
            close("SASL session expired without re-authentication");
            return false;
        }
        return true;
    }

    /** A request the SASL exchange does not allow now: audited as refused, and the connection closed. */
    private void refuseOutsideSasl(ApiKeys api, short version, int correlationId, String reason) {
        gateway.stats().refused();
        audit.refused(api, version, correlationId, reason, Errors.CLUSTER_AUTHORIZATION_FAILED, List.of());
        close(reason);
    }

    /**
     * An ApiVersions request at a version the gateway does not know, answered as Kafka does: in v0, with
     * UNSUPPORTED_VERSION and the range it does support, so the client retries.
     */
    private void answerUnsupportedApiVersions(int correlationId, short version) {
        gateway.stats().request(ApiKeys.API_VERSIONS, GatewayStats.Outcome.ANSWERED);
        respondLocally(correlationId, ApiKeys.API_VERSIONS, version, KafkaFrames.response(correlationId, (short) 0,
                SupportedApis.unsupportedApiVersionsResponse(), (short) 0));
    }

    /** ApiVersions before authentication: answered from what the cluster supports, without touching a broker. */
    private void answerApiVersionsLocally(int correlationId, short version) {
        if (!SupportedApis.isSupported(ApiKeys.API_VERSIONS, version)) {
            answerUnsupportedApiVersions(correlationId, version);
            return;
        }
        holdReading();
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
                SupportedApis.addAclAdministration(data);
            }
            SupportedApis.addGatewayApis(data);
            SupportedApis.addSasl(data);
            SupportedApis.fitFeatures(data, version); // what was learned may come from an answer at another version
            gateway.stats().request(ApiKeys.API_VERSIONS, GatewayStats.Outcome.ANSWERED);
            respondLocally(correlationId, ApiKeys.API_VERSIONS, version,
                    KafkaFrames.response(correlationId, (short) 0, data, version));
            releaseReading();
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
    public void holdReading() {
        holds++;
        fromClient.pause();
    }

    @Override
    public void releaseReading() {
        holds--;
        resumeReading();
    }

    /**
     * Reads from the client again unless something still holds it back: a request waiting to be decided (its
     * answer must come before those of the requests after it), a throttle, the audit backlog, too many requests
     * waiting for their answers, a connection not yet made to the broker, or a full write queue either way (a client
     * that does not read its answers gets no more requests read, whoever answers them).
     */
    private void resumeReading() {
        if (closed || draining || holds > 0 || throttleTimer >= 0 || awaitingAudit >= MAX_AWAITING_AUDIT
                || inFlight.size() >= LimitsConfig.MAX_REQUESTS_IN_FLIGHT
                || upstream == null && (sasl == null || sasl.authenticated())
                || upstream != null && upstream.writeQueueFull() || client.writeQueueFull()) {
            return;
        }
        fromClient.resume();
    }

    @Override
    public void authenticated(String authenticatedPrincipal, boolean first, String mechanism, Map<String, String> details) {
        if (closed) {
            return;
        }
        audit.principal(authenticatedPrincipal);
        audit.authenticated(mechanism, !first, details);
        if (first) {
            cancel(loginTimer);
            loginTimer = -1;
            principal = authenticatedPrincipal;
            quotaDue = true;
            gateway.stats().closed(info);
            info = new ConnectionInfo(listener.listenerConfig().name(), peer, principal, true);
            gateway.stats().opened(info);
            meters = gateway.metrics().principal(principal);
            LOG.info("event=authenticated listener={} client={} principal=\"{}\" mechanism={}",
                    listener.listenerConfig().name(), peer, principal, sasl.mechanism());
            fromClient.pause();
            fromClient.limit(gateway.config().limits().maxFrameBytes());
            openUpstream();
        } else {
            fromClient.limit(gateway.config().limits().maxFrameBytes());
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
    public void authenticationFailed(String mechanism, String claimedUser, String reason) {
        audit.authenticationFailed(mechanism, claimedUser, reason);
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
        InFlight request = pollInFlight();
        if (request == null) {
            close("broker sent a response to no request");
            return;
        }
        int correlationId = KafkaFrames.correlationId(frame);
        if (correlationId != request.correlationId()) {
            close("broker response correlation id " + correlationId + " does not match request " + request.correlationId());
            return;
        }
        long arrived = request.sentAt() == 0 ? 0 : System.nanoTime();
        Future<Buffer> response;
        try {
            int fetchThrottleMs = 0;
            if (quota != null && request.api() == ApiKeys.PRODUCE) {
                frame = withProduceQuota(request, frame);
            } else if (quota != null && request.api() == ApiKeys.FETCH && request != fetchRecorded) {
                fetchThrottleMs = fetchQuota(request, frame);
            }
            fetchRecorded = null;
            if (fetchThrottleMs > 0) {
                response = throttledFetch(request, fetchThrottleMs);
            } else if (streaming != null) {
                int sent = streamedBytes;
                streaming = null;
                streamedBytes = 0;
                if (request.audit() != null) {
                    audit.response(request.audit(), parse(request, frame).body());
                }
                response = listener.rewriter().remainder(request.api(), request.version(), frame, sent);
            } else if (request.edit() == null && request.audit() == null && !request.versionChanged()) {
                response = listener.rewriter().rewrite(request.api(), request.version(), frame);
            } else {
                response = audited(request, frame);
            }
        } catch (RuntimeException e) {
            response = Future.failedFuture(new IllegalStateException("unreadable " + request.api().name
                    + " v" + request.version() + " response from broker: " + e.getMessage(), e));
        }
        answer(request, response, arrived);
    }

    /** The end of a Fetch response skipped as it arrived because the quota throttled it: the client gets Kafka's answer. */
    private void onThrottledFetchSkipped(InFlight request, int throttleMs) {
        if (closed) {
            return;
        }
        if (pollInFlight() != request) {
            close("broker response skipped out of order");
            return;
        }
        answer(request, throttledFetch(request, throttleMs), request.sentAt() == 0 ? 0 : System.nanoTime());
    }

    /** Sends a broker response's answer on to the client, in order, then what queued behind it may go on. */
    private void answer(InFlight request, Future<Buffer> response, long arrived) {
        sendToClient(response);
        if (arrived != 0) {
            recordLatency(request, arrived);
        }
        sendLocalResponsesAtHead();
        reauthenticateUpstreamWhenIdle();
        closeOnceAnswered();
    }

    /**
     * Splits a request's time into the broker's (sent to whole response received) and the gateway's (the rest, up
     * to the response written to the client, including any wait for earlier responses or for an audit write).
     */
    private void recordLatency(InFlight request, long arrived) {
        if (outputTail.isComplete()) {
            responseWritten(request, arrived);
        } else {
            outputTail.onComplete(done -> responseWritten(request, arrived));
        }
    }

    private void responseWritten(InFlight request, long arrived) {
        gateway.metrics().latency(request.api(), (request.sentAt() - request.receivedAt()) + (System.nanoTime() - arrived),
                arrived - request.sentAt());
    }

    /** A decoded broker response and its header as received. */
    private record ParsedResponse(ByteBuffer header, AbstractResponse body) {
    }

    /** Decodes a broker response at the version the request went to the broker at. */
    private static ParsedResponse parse(InFlight request, Buffer frame) {
        KafkaFrames.Response split = KafkaFrames.splitResponse(frame, request.api(), request.upstreamVersion());
        return new ParsedResponse(split.header(),
                AbstractResponse.parseResponse(request.api(), new ByteBufferAccessor(split.body()), request.upstreamVersion()));
    }

    /** A decoded response, encoded for the client: at its version, with its header version. */
    private static Buffer encode(InFlight request, ParsedResponse parsed, ApiMessage body) {
        if (request.versionChanged()) {
            return KafkaFrames.response(request.correlationId(), request.api().responseHeaderVersion(request.version()), body,
                    request.version());
        }
        return KafkaFrames.frame(parsed.header(), KafkaFrames.serialize(body, request.version()));
    }

    /**
     * A response that is edited (the enforcer completes or trims it) or audited: decoded once, changed, audited, and
     * encoded again when changed. With fail-closed auditing, fetched records reach the client only once their event
     * is written; when it cannot be, the partitions are answered with a retriable error instead of their records.
     */
    private Future<Buffer> audited(InFlight request, Buffer frame) {
        ParsedResponse parsed = parse(request, frame);
        Set<Uuid> unnamed = request.edit() == null ? Set.of()
                : gateway.topicNames().missing(request.edit().topicIds(parsed.body().data()));
        if (unnamed.isEmpty()) {
            return audited(request, frame, parsed);
        }
        // The edit judges topics by name: the ids the gateway has not seen named yet are looked up first.
        return Future.fromCompletionStage(gateway.topicNames().lookUp(unnamed), listener.context())
                .compose(named -> audited(request, frame, parsed));
    }

    private Future<Buffer> audited(InFlight request, Buffer frame, ParsedResponse parsed) {
        ApiMessage body = parsed.body().data();
        Buffer out = frame;
        if (request.edit() != null || request.versionChanged()) {
            if (request.edit() != null) {
                request.edit().edit(body);
            }
            out = encode(request, parsed, body);
        }
        if (request.audit() == null) {
            return listener.rewriter().rewrite(request.api(), request.version(), out);
        }
        CompletableFuture<Void> written = audit.response(request.audit(), parsed.body());
        if (!audit.failClosed() || request.api() != ApiKeys.FETCH || written.isDone() && !written.isCompletedExceptionally()) {
            return listener.rewriter().rewrite(request.api(), request.version(), out);
        }
        Buffer ready = out;
        return Future.fromCompletionStage(written, listener.context()).transform(ar -> {
            if (ar.succeeded()) {
                return listener.rewriter().rewrite(request.api(), request.version(), ready);
            }
            LOG.info("event=audit_unavailable listener={} client={} principal=\"{}\" api=Fetch reason=\"{}\"",
                    listener.listenerConfig().name(), peer, principal, ar.cause().getMessage());
            audit.withheld(request.audit(), (FetchResponseData) body, ar.cause().getMessage());
            withheld((FetchResponseData) body);
            return listener.rewriter().rewrite(request.api(), request.version(), encode(request, parsed, body));
        });
    }

    /** Removes every partition's records, answering KAFKA_STORAGE_ERROR (retriable: the consumer fetches again). */
    private static void withheld(FetchResponseData response) {
        response.responses().forEach(topic -> topic.partitions().forEach(p -> {
            if (p.records() != null && p.records().sizeInBytes() > 0) {
                p.setRecords(MemoryRecords.EMPTY).setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
            }
        }));
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
            if (soFar.length() < 2 * KafkaFrames.SIZE_PREFIX || head == null || head.localResponse() != null) {
                return;
            }
            if (KafkaFrames.correlationId(soFar) != head.correlationId()) {
                close("broker response correlation id " + KafkaFrames.correlationId(soFar)
                        + " does not match request " + head.correlationId());
                return;
            }
            if (quota != null && head.api() == ApiKeys.FETCH && head != fetchRecorded) {
                int throttleMs = fetchQuota(head, soFar);
                if (throttleMs < 0) {
                    return;
                }
                if (throttleMs > 0) {
                    fromUpstream.skipFrame(() -> onThrottledFetchSkipped(head, throttleMs));
                    return;
                }
                fetchRecorded = head;
            }
            if (head.edit() != null || head.audit() != null && audit.failClosed()
                    || !outputTail.isComplete() || KafkaFrames.SIZE_PREFIX + soFar.getInt(0) < STREAM_THRESHOLD
                    || head.versionChanged() || !ResponseRewriter.canStream(head.api(), head.version())) {
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

    /**
     * A Produce over its principal's quota: its response gets the throttle time (the longer of the broker's and the
     * gateway's) and the client is muted for as long.
     */
    private Buffer withProduceQuota(InFlight request, Buffer frame) {
        if (request.throttleMs() <= 0) {
            return frame;
        }
        throttle(ApiKeys.PRODUCE, request.throttleMs());
        // A response forwarded as it arrived has its first bytes out already.
        return streaming != null ? frame : ThrottleTime.raiseProduce(frame, request.version(), request.throttleMs());
    }

    /**
     * Records a Fetch response's size against the principal's quota, from the response or its first bytes (its size
     * prefix says how long it is). Over the quota, as a Kafka broker does, the client is muted for the throttle time
     * and gets no records: the result is the throttle time to answer with (the longer of the broker's and the
     * gateway's), and the response's size does not count. 0 within the quota; -1 while the bytes so far do not reach
     * the broker's throttle time.
     */
    private int fetchQuota(InFlight request, Buffer frame) {
        int brokerMs = ThrottleTime.ofFetch(frame, request.upstreamVersion());
        if (brokerMs < 0) {
            return -1;
        }
        int throttleMs = quota.fetched(KafkaFrames.SIZE_PREFIX + frame.getInt(0));
        if (throttleMs <= 0) {
            return 0;
        }
        throttle(ApiKeys.FETCH, throttleMs);
        return Math.max(throttleMs, brokerMs);
    }

    /**
     * Kafka's answer to a Fetch its quota throttles, at the client's version and in place of the broker's response,
     * whose records the client fetches again later. It carries no records, so audit writes no consume event for it.
     */
    private Future<Buffer> throttledFetch(InFlight request, int throttleMs) {
        FetchResponse response = ThrottleTime.throttledFetch(throttleMs);
        if (request.audit() != null) {
            audit.response(request.audit(), response);
        }
        return Future.succeededFuture(KafkaFrames.response(request.correlationId(),
                ApiKeys.FETCH.responseHeaderVersion(request.version()), response.data(), request.version()));
    }

    /** Mutes reading from the client for {@code throttleMs} (or longer, if an earlier throttle lasts longer), as Kafka does. */
    private void throttle(ApiKeys api, int throttleMs) {
        gateway.stats().quotaThrottled(api, throttleMs);
        long until = System.nanoTime() + throttleMs * 1_000_000L;
        if (throttleTimer >= 0) {
            if (until - throttledUntil <= 0) {
                return;
            }
            listener.vertx().cancelTimer(throttleTimer);
        }
        throttledUntil = until;
        fromClient.pause();
        throttleTimer = listener.vertx().setTimer(throttleMs, id -> {
            throttleTimer = -1;
            resumeReading();
        });
    }

    /**
     * Takes the connection's share of the byte-rate quotas at its first request once its principal is known (the
     * client id that request carries decides which quota by client id holds it), and again at its first request after
     * the quotas changed.
     */
    private void acquireQuota(String clientId) {
        ClientQuotas quotas = gateway.quotas();
        quotaGeneration = quotas.generation();
        if (principal == null) {
            return; // not logged in yet: the first request after login takes them
        }
        quotaDue = false;
        if (quota != null) {
            quotas.release(quota);
        }
        quota = quotas.acquire(principal, clientId);
    }

    private void respondLocally(int correlationId, ApiKeys api, short version, Buffer response) {
        if (auditTail.isComplete()) {
            respondNow(correlationId, api, version, response);
            return;
        }
        afterAudit(null, () -> respondNow(correlationId, api, version, response), failure -> { }, () -> { });
    }

    private void respondNow(int correlationId, ApiKeys api, short version, Buffer response) {
        if (!heldForUpstreamReauth.isEmpty()) {
            // a request before this one waits for the gateway's renewed login to the broker: answer after it
            heldForUpstreamReauth.add(() -> respondNow(correlationId, api, version, response));
        } else if (inFlight.isEmpty()) {
            sendToClient(Future.succeededFuture(response));
        } else {
            addInFlight(new InFlight(correlationId, api, version, response));
        }
    }

    private void addInFlight(InFlight request) {
        inFlight.add(request);
        if (inFlight.size() >= LimitsConfig.MAX_REQUESTS_IN_FLIGHT) {
            fromClient.pause();
        }
    }

    private InFlight pollInFlight() {
        InFlight request = inFlight.poll();
        if (inFlight.size() == LimitsConfig.MAX_REQUESTS_IN_FLIGHT - 1) {
            resumeReading();
        }
        return request;
    }

    private void sendLocalResponsesAtHead() {
        while (!inFlight.isEmpty() && inFlight.peek().localResponse() != null) {
            sendToClient(Future.succeededFuture(pollInFlight().localResponse()));
        }
    }

    /** Writes responses strictly in request order, even when one of them waits for a broker port to be bound. */
    private void sendToClient(Future<Buffer> response) {
        if (outputTail.isComplete() && response.isComplete()) {
            if (response.succeeded()) {
                writeResponse(response.result());
            } else {
                close(response.cause().getMessage());
            }
            return;
        }
        outputTail = outputTail
                .compose(v -> response)
                .onSuccess(this::writeResponse)
                .onFailure(e -> close(e.getMessage()))
                .mapEmpty();
    }

    /** Writes the whole response to a request. */
    private void writeResponse(Buffer frame) {
        writeClient(frame);
        requestAnswered();
    }

    private void requestAnswered() {
        requestsAnswered++;
        if (draining && !closed && requestsAnswered == requestsRead) {
            close(null); // after the response: a close flushes what was written first
        }
    }

    /**
     * Shutdown: reads no further request (those the client sent meanwhile fail on its side, and it retries elsewhere)
     * and closes once every request read has been answered; an idle connection closes at once.
     */
    void drain() {
        if (closed) {
            return;
        }
        draining = true;
        fromClient.pause();
        if (requestsInFlight() == 0) {
            close(null);
        }
    }

    /** Requests read from the client whose responses are not written yet. */
    int requestsInFlight() {
        return (int) (requestsRead - requestsAnswered);
    }

    /** Shutdown, at the end of the drain: closes the connection whatever is still in flight. */
    void abandon() {
        close("gateway shut down with " + requestsInFlight() + " requests in flight after the drain timeout");
    }

    private void writeClient(Buffer frame) {
        if (closed) {
            return;
        }
        gateway.stats().bytesToClient(frame.length());
        meters.response(frame.length());
        client.write(frame);
        if (client.writeQueueFull()) {
            // Neither the broker's answers nor the client's requests (which may be answered here) are read until the
            // client takes what is queued for it.
            if (fromUpstream != null && !fromUpstream.isPaused()) {
                gateway.stats().upstreamReadPaused();
                fromUpstream.pause();
            }
            fromClient.pause();
            client.drainHandler(v -> {
                if (fromUpstream != null) {
                    fromUpstream.resume();
                }
                resumeReading();
                reauthenticateUpstreamWhenIdle();
            });
        }
    }

    private void writeUpstream(Buffer frame) {
        upstream.write(frame);
        if (upstream.writeQueueFull()) {
            if (!fromClient.isPaused()) {
                gateway.stats().clientReadPaused();
            }
            fromClient.pause();
            upstream.drainHandler(v -> resumeReading());
        }
    }

    /**
     * Closes the connection because of what the client sent — once the requests before it are answered, as a broker
     * does (it reads one request at a time, so it has answered those before it reads the bad one). Nothing more is
     * read meanwhile, and the wait is bounded.
     */
    private void refuse(String reason) {
        if (closed || refusedFor != null) {
            return;
        }
        gateway.stats().refused();
        if (upstream == null || inFlight.isEmpty() && auditTail.isComplete() && !upstreamReauthDue && outputTail.isComplete()) {
            close(reason);
            return;
        }
        refusedFor = reason;
        holdReading();
        refusalTimer = listener.vertx().setTimer(REFUSAL_DRAIN_MS, id -> close(reason));
        closeOnceAnswered();
    }

    /** After a refusal: closes once every request forwarded before it is answered and the answers are written. */
    private void closeOnceAnswered() {
        if (refusedFor == null || closed) {
            return;
        }
        if (!auditTail.isComplete()) {
            auditTail.onComplete(v -> closeOnceAnswered());
            return;
        }
        if (inFlight.isEmpty() && !upstreamReauthDue) { // requests held for a renewal are sent once it is no longer due
            String reason = refusedFor;
            outputTail.onComplete(v -> close(reason));
        }
    }

    private void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        closeReason = reason;
        cancelTimers();
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
        if (quota != null) {
            gateway.quotas().release(quota);
            quota = null;
        }
        if (throttleTimer >= 0) {
            listener.vertx().cancelTimer(throttleTimer);
            throttleTimer = -1;
        }
        gateway.stats().clientClosed();
        gateway.stats().release(clientHost);
        gateway.stats().closed(info);
        String reason = closeReason == null && draining ? "gateway shutting down" : closeReason;
        auditUnanswered(reason == null ? "the client closed its connection" : reason);
        audit.closed(reason);
        listener.untrack(this);
        closed = true;
        cancelTimers();
        if (upstream != null && !upstreamClosed) {
            upstream.close();
        }
    }

    /** Requests the broker has not answered are audited now, with an unknown outcome: their answers will not be read. */
    private void auditUnanswered(String reason) {
        for (InFlight request : inFlight) {
            if (request.audit() != null && request.localResponse() == null) {
                audit.abandoned(request.audit(), reason);
            }
        }
    }

    /** Cancels the timers that act on an open connection: session expiry, the broker session's renewal, a refusal's wait. */
    private void cancelTimers() {
        cancel(sessionTimer);
        cancel(upstreamReauthTimer);
        cancel(refusalTimer);
        cancel(loginTimer);
        sessionTimer = -1;
        loginTimer = -1;
        upstreamReauthTimer = -1;
        refusalTimer = -1;
    }

    private void cancel(long timer) {
        if (timer >= 0) {
            listener.vertx().cancelTimer(timer);
        }
    }

    /**
     * The principal Kafka would give this client on an SSL listener: its certificate's subject through the listener's
     * mapping rules, or ANONYMOUS without a certificate. A certificate no rule matches gets none: the connection is
     * refused.
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
