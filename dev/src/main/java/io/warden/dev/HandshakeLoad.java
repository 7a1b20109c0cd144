package io.warden.dev;

import io.warden.authn.scram.ScramClient;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.SSL;
import io.warden.certs.CertificateFiles;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A connection storm against a TLS port: each connection is connect, a full TLS handshake, ApiVersions v3, then
 * optionally SaslHandshake v1 and a SCRAM-SHA-512 login with SaslAuthenticate v2 (client-first, client-final,
 * server signature checked), then close. Several threads, each with one connection at a time, as fast as they can,
 * for a fixed time. No TLS session is ever resumed: every handshake is a full one. The SCRAM client keeps its salted
 * password in {@link ScramClient.Cache#shared()}, so the client side of a login costs a few HMACs, not PBKDF2.
 * <p>
 * The client side of TLS is one of two implementations ({@link ClientTls}): OpenSSL (BoringSSL, through Netty; as
 * librdkafka clients do it, with native crypto), or the JDK's engine over blocking sockets as the Java Kafka client
 * does it. The load runs on the same machine as the server it measures, so its own cost matters: the JDK's
 * elliptic-curve code, in Java, spends several times the CPU of BoringSSL on each client handshake.
 */
final class HandshakeLoad implements AutoCloseable {

    /** SCRAM credentials for the storm; null in the load for plain TLS handshakes. */
    record ScramUser(String name, String password) {
    }

    /** The TLS implementation of the storm's clients. */
    enum ClientTls {
        /** BoringSSL through Netty, no session cache; every connection is checked to be a full handshake. */
        OPENSSL,
        /** The JDK's TLS over blocking {@link SSLSocket}s, with a fresh {@link SSLContext} per connection. */
        JDK;

        static ClientTls parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "openssl" -> OPENSSL;
                case "jdk" -> JDK;
                default -> throw new IllegalArgumentException("unknown client TLS '" + text + "': expected openssl or jdk");
            };
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What one storm did: completed connections, failures, wall time, per-connection times in milliseconds, and the
     * CPU time used meanwhile by the gateway's process (-1 when it runs in this JVM) and by this JVM.
     */
    record Result(long completed, long failed, double seconds, double p50Ms, double p99Ms, String firstError,
                  long gatewayCpuNanos, String gatewayCpuLabel, long ownCpuNanos) {
        double perSecond() {
            return completed / seconds;
        }
    }

    private static final short API_VERSIONS_VERSION = 3;
    private static final short HANDSHAKE_VERSION = 1;
    private static final short AUTHENTICATE_VERSION = 2;
    private static final int TIMEOUT_MILLIS = 10_000;

    private final String host;
    private final int port;
    private final ScramUser scram;
    private final ClientTls clientTls;
    /** JDK clients: the trust managers of each connection's fresh context. */
    private final TrustManager[] trustManagers;
    /** OpenSSL clients: one context without a session cache, and one event loop for all connections. */
    private final SslContext openSsl;
    private final EventLoopGroup eventLoop;

    HandshakeLoad(String host, int port, Path caFile, ScramUser scram, ClientTls clientTls) throws Exception {
        this.host = host;
        this.port = port;
        this.scram = scram;
        this.clientTls = clientTls;
        List<X509Certificate> cas = CertificateFiles.readCertificates(caFile);
        if (clientTls == ClientTls.JDK) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                trust.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            this.trustManagers = tmf.getTrustManagers();
            this.openSsl = null;
            this.eventLoop = null;
        } else {
            this.trustManagers = null;
            this.openSsl = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.OPENSSL)
                    .trustManager(cas)
                    .endpointIdentificationAlgorithm("HTTPS")
                    .build();
            ((OpenSslSessionContext) openSsl.sessionContext()).setSessionCacheEnabled(false);
            this.eventLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        }
    }

    @Override
    public void close() {
        if (eventLoop != null) {
            eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * Runs {@code threads} connection loops for {@code seconds}; returns once all have stopped. {@code gateway}, if
     * given, is the process whose CPU time is reported.
     */
    Result run(int threads, double seconds, PerfTools.Gateway gateway) throws InterruptedException {
        long gatewayCpu = gateway == null ? -1 : gateway.cpuNanos();
        long ownCpu = PerfTools.ownCpuNanos();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        List<List<Long>> times = new ArrayList<>();
        long[] failures = new long[threads];
        AtomicReference<String> firstError = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Long> mine = new ArrayList<>();
            times.add(mine);
            int index = t;
            Thread worker = new Thread(() -> {
                int correlation = 0;
                while (System.nanoTime() < deadline) {
                    long begin = System.nanoTime();
                    try {
                        connectOnce(++correlation);
                        mine.add(System.nanoTime() - begin);
                    } catch (Exception e) {
                        failures[index]++;
                        firstError.compareAndSet(null, e.toString());
                    }
                }
            }, "handshake-load-" + t);
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        List<Long> all = new ArrayList<>();
        times.forEach(all::addAll);
        all.sort(null);
        long failed = 0;
        for (long f : failures) {
            failed += f;
        }
        long gatewayCpuAfter = gateway == null ? -1 : gateway.cpuNanos();
        return new Result(all.size(), failed, elapsed, percentileMs(all, 0.50), percentileMs(all, 0.99), firstError.get(),
                gatewayCpu < 0 || gatewayCpuAfter < 0 ? -1 : gatewayCpuAfter - gatewayCpu,
                gateway == null ? null : gateway.cpuLabel(), PerfTools.ownCpuNanos() - ownCpu);
    }

    /**
     * Warms up both sides: runs the load in 10 s slices, printing each, until the server's JIT compilers are
     * nearly idle (under 0.1 core over a slice, after at least 30 s) or {@code maxSeconds} have passed. On two
     * cores a fresh gateway spends most of its first minute or two of handshakes compiling (C2 threads), and
     * handshakes per second roughly triple by the end. {@code compilerNanos} is the server's JIT CPU time so far
     * (-1 when unknown, and then the warm-up runs its full length).
     */
    void warmUp(String label, int threads, double maxSeconds, PerfTools.Gateway gateway, LongSupplier compilerNanos)
            throws InterruptedException {
        double elapsed = 0;
        while (elapsed < maxSeconds - 0.5) {
            long jitBefore = compilerNanos.getAsLong();
            Result r = run(threads, Math.min(10, maxSeconds - elapsed), gateway);
            long jitAfter = compilerNanos.getAsLong();
            elapsed += r.seconds();
            double jitCores = jitBefore < 0 || jitAfter < 0 ? Double.NaN : Math.max(0, jitAfter - jitBefore) / 1e9 / r.seconds();
            System.out.printf(java.util.Locale.ROOT, "warm-up %s %s; server JIT %.2f cores%n", label, describe(r), jitCores);
            if (elapsed >= 30 && jitCores < 0.1) {
                break;
            }
        }
    }

    private static double percentileMs(List<Long> sortedNanos, double q) {
        if (sortedNanos.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.min(sortedNanos.size() - 1, Math.ceil(q * sortedNanos.size()) - 1);
        return sortedNanos.get(Math.max(0, i)) / 1e6;
    }

    private void connectOnce(int correlationBase) throws Exception {
        Conversation conversation = new Conversation(correlationBase * 4);
        if (clientTls == ClientTls.JDK) {
            connectOnceJdk(conversation);
        } else {
            connectOnceOpenSsl(conversation);
        }
    }

    private void connectOnceJdk(Conversation conversation) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            socket.startHandshake();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            // Each request is written as a single frame (one TLS record), then its response read.
            for (ByteBuffer request = conversation.first(); request != null; ) {
                out.write(request.array(), 0, request.limit());
                out.flush();
                byte[] payload = new byte[in.readInt()];
                in.readFully(payload);
                request = conversation.next(ByteBuffer.wrap(payload));
            }
        }
    }

    private void connectOnceOpenSsl(Conversation conversation) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ChannelFuture connect = new Bootstrap()
                .group(eventLoop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(
                                openSsl.newHandler(channel.alloc(), host, port),
                                new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4),
                                new StormConnection(conversation, done));
                    }
                })
                .connect(host, port);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                done.completeExceptionally(f.cause());
            }
        });
        Channel channel = connect.channel();
        try {
            done.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new IOException("no answer within " + TIMEOUT_MILLIS + " ms");
        } finally {
            channel.close();
        }
    }

    /**
     * One connection of the OpenSSL storm: once the handshake is done (and checked to be a full one), the
     * conversation's requests go out one at a time, each after the response to the one before; it completes once
     * the last response is read and the connection is closed.
     */
    private static final class StormConnection extends ChannelInboundHandlerAdapter {
        private final Conversation conversation;
        private final CompletableFuture<Void> done;

        StormConnection(Conversation conversation, CompletableFuture<Void> done) {
            this.conversation = conversation;
            this.done = done;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (!(event instanceof SslHandshakeCompletionEvent handshake)) {
                ctx.fireUserEventTriggered(event);
                return;
            }
            if (!handshake.isSuccess()) {
                fail(ctx, handshake.cause());
                return;
            }
            ReferenceCountedOpenSslEngine engine = (ReferenceCountedOpenSslEngine) ctx.pipeline().get(SslHandler.class).engine();
            if (SSL.isSessionReused(engine.sslPointer())) {
                fail(ctx, new IOException("the TLS session was resumed; the storm measures full handshakes only"));
                return;
            }
            send(ctx, conversation.first());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            ByteBuf frame = (ByteBuf) message;
            try {
                ByteBuffer payload = ByteBuffer.allocate(frame.readableBytes());
                frame.readBytes(payload);
                ByteBuffer next = conversation.next(payload.flip());
                if (next == null) {
                    done.complete(null);
                    ctx.close();
                } else {
                    send(ctx, next);
                }
            } catch (Exception e) {
                fail(ctx, e);
            } finally {
                frame.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IOException("connection closed by the server"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, cause);
        }

        private static void send(ChannelHandlerContext ctx, ByteBuffer request) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(request));
        }

        private void fail(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }
    }

    /**
     * The requests of one connection, each made from the response to the one before: ApiVersions, then (with a
     * SCRAM user) SaslHandshake and the two SaslAuthenticate. Frames are whole: size prefix, header, body.
     */
    private final class Conversation {
        private final int correlationBase;
        private int step;
        private ScramClient client;

        Conversation(int correlationBase) {
            this.correlationBase = correlationBase;
        }

        ByteBuffer first() {
            return request(ApiKeys.API_VERSIONS, API_VERSIONS_VERSION, correlationBase,
                    new ApiVersionsRequestData().setClientSoftwareName("warden-bench").setClientSoftwareVersion("1"));
        }

        /** The next request after {@code response} (a frame's payload), or null when the conversation is over. */
        ByteBuffer next(ByteBuffer response) throws IOException {
            int id = correlationBase + step;
            switch (step++) {
                case 0 -> {
                    check(read(response, ApiKeys.API_VERSIONS, API_VERSIONS_VERSION, id,
                            a -> new ApiVersionsResponseData(a, API_VERSIONS_VERSION)).errorCode(), "ApiVersions");
                    return scram == null ? null : request(ApiKeys.SASL_HANDSHAKE, HANDSHAKE_VERSION, id + 1,
                            new SaslHandshakeRequestData().setMechanism("SCRAM-SHA-512"));
                }
                case 1 -> {
                    check(read(response, ApiKeys.SASL_HANDSHAKE, HANDSHAKE_VERSION, id,
                            a -> new SaslHandshakeResponseData(a, HANDSHAKE_VERSION)).errorCode(), "SaslHandshake");
                    client = new ScramClient(ScramMechanism.SCRAM_SHA_512, scram.name(), scram.password().toCharArray());
                    return authenticate(id + 1, client.firstMessage());
                }
                case 2 -> {
                    return authenticate(id + 1, client.finalMessage(authenticated(response, id).authBytes()));
                }
                case 3 -> {
                    client.verifyServerFinal(authenticated(response, id).authBytes());
                    return null;
                }
                default -> throw new IOException("unexpected response after the conversation ended");
            }
        }

        private ByteBuffer authenticate(int id, byte[] token) {
            return request(ApiKeys.SASL_AUTHENTICATE, AUTHENTICATE_VERSION, id, new SaslAuthenticateRequestData().setAuthBytes(token));
        }

        private SaslAuthenticateResponseData authenticated(ByteBuffer response, int id) throws IOException {
            SaslAuthenticateResponseData data = read(response, ApiKeys.SASL_AUTHENTICATE, AUTHENTICATE_VERSION, id,
                    a -> new SaslAuthenticateResponseData(a, AUTHENTICATE_VERSION));
            if (data.errorCode() != Errors.NONE.code()) {
                throw new IOException("SaslAuthenticate: " + Errors.forCode(data.errorCode()) + " " + data.errorMessage());
            }
            return data;
        }
    }

    private static void check(short errorCode, String what) throws IOException {
        if (errorCode != Errors.NONE.code()) {
            throw new IOException(what + ": " + Errors.forCode(errorCode));
        }
    }

    /** One request as a whole frame, ready to write. */
    private static ByteBuffer request(ApiKeys api, short version, int correlationId, ApiMessage body) {
        RequestHeader header = new RequestHeader(api, version, "warden-bench", correlationId);
        ByteBuffer h = MessageUtil.toByteBufferAccessor(header.data(), header.headerVersion()).buffer();
        ByteBuffer b = MessageUtil.toByteBufferAccessor(body, version).buffer();
        ByteBuffer frame = ByteBuffer.allocate(4 + h.remaining() + b.remaining());
        return frame.putInt(h.remaining() + b.remaining()).put(h).put(b).flip();
    }

    /** Reads a response payload (a frame without its size prefix), checking its correlation id. */
    private static <T> T read(ByteBuffer payload, ApiKeys api, short version, int correlationId,
                              Function<ByteBufferAccessor, T> reader) throws IOException {
        ResponseHeader responseHeader = ResponseHeader.parse(payload, api.responseHeaderVersion(version));
        if (responseHeader.correlationId() != correlationId) {
            throw new IOException(api + ": correlation id " + responseHeader.correlationId() + ", expected " + correlationId);
        }
        return reader.apply(new ByteBufferAccessor(payload));
    }

    static String describe(Result r) {
        String cpu = r.gatewayCpuNanos() < 0
                ? String.format(java.util.Locale.ROOT, "; CPU: this JVM %.2f cores", r.ownCpuNanos() / 1e9 / r.seconds())
                : String.format(java.util.Locale.ROOT, "; CPU: %s %.2f cores = %.2f ms per connection, this JVM (broker, clients) %.2f cores",
                        r.gatewayCpuLabel(), r.gatewayCpuNanos() / 1e9 / r.seconds(), r.gatewayCpuNanos() / 1e6 / Math.max(1, r.completed()),
                        r.ownCpuNanos() / 1e9 / r.seconds());
        return String.format(java.util.Locale.ROOT, "%6.0f/s  (%d in %.1f s, %d failed; per connection p50 %.1f ms, p99 %.1f ms%s)%s",
                r.perSecond(), r.completed(), r.seconds(), r.failed(), r.p50Ms(), r.p99Ms(), cpu,
                r.firstError() == null ? "" : "  first error: " + r.firstError());
    }
}
