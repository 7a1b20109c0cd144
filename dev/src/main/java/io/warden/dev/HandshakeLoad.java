package io.warden.dev;

import io.warden.authn.scram.ScramClient;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A connection storm against a TLS port, as plain blocking sockets: each connection is connect, a full TLS
 * handshake, ApiVersions v3, then optionally SaslHandshake v1 and a SCRAM-SHA-512 login with SaslAuthenticate v2
 * (client-first, client-final, server signature checked), then close. Several threads, each as fast as it can,
 * for a fixed time. Every connection gets a fresh client {@link SSLContext}, so no TLS session is ever resumed:
 * every handshake is a full one. The SCRAM client keeps its salted password in {@link ScramClient.Cache#shared()},
 * so the client side of a login costs a few HMACs, not PBKDF2.
 */
final class HandshakeLoad {

    /** SCRAM credentials for the storm; null in the load for plain TLS handshakes. */
    record ScramUser(String name, String password) {
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

    private final String host;
    private final int port;
    private final TrustManager[] trustManagers;
    private final ScramUser scram;

    HandshakeLoad(String host, int port, Path caFile, ScramUser scram) throws Exception {
        this.host = host;
        this.port = port;
        this.scram = scram;
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        List<X509Certificate> cas = CertificateFiles.readCertificates(caFile);
        for (int i = 0; i < cas.size(); i++) {
            trust.setCertificateEntry("ca-" + i, cas.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        this.trustManagers = tmf.getTrustManagers();
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
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.startHandshake();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            int id = correlationBase * 4;
            ApiVersionsResponseData versions = call(in, out, ApiKeys.API_VERSIONS, API_VERSIONS_VERSION, id,
                    new ApiVersionsRequestData().setClientSoftwareName("warden-bench").setClientSoftwareVersion("1"),
                    a -> new ApiVersionsResponseData(a, API_VERSIONS_VERSION));
            check(versions.errorCode(), "ApiVersions");
            if (scram == null) {
                return;
            }
            SaslHandshakeResponseData handshake = call(in, out, ApiKeys.SASL_HANDSHAKE, HANDSHAKE_VERSION, id + 1,
                    new SaslHandshakeRequestData().setMechanism("SCRAM-SHA-512"),
                    a -> new SaslHandshakeResponseData(a, HANDSHAKE_VERSION));
            check(handshake.errorCode(), "SaslHandshake");
            ScramClient client = new ScramClient(ScramMechanism.SCRAM_SHA_512, scram.name(), scram.password().toCharArray());
            SaslAuthenticateResponseData first = authenticate(in, out, id + 2, client.firstMessage());
            SaslAuthenticateResponseData last = authenticate(in, out, id + 3, client.finalMessage(first.authBytes()));
            client.verifyServerFinal(last.authBytes());
        }
    }

    private static SaslAuthenticateResponseData authenticate(DataInputStream in, OutputStream out, int id, byte[] token)
            throws IOException {
        SaslAuthenticateResponseData response = call(in, out, ApiKeys.SASL_AUTHENTICATE, AUTHENTICATE_VERSION, id,
                new SaslAuthenticateRequestData().setAuthBytes(token),
                a -> new SaslAuthenticateResponseData(a, AUTHENTICATE_VERSION));
        if (response.errorCode() != Errors.NONE.code()) {
            throw new IOException("SaslAuthenticate: " + Errors.forCode(response.errorCode()) + " " + response.errorMessage());
        }
        return response;
    }

    private static void check(short errorCode, String what) throws IOException {
        if (errorCode != Errors.NONE.code()) {
            throw new IOException(what + ": " + Errors.forCode(errorCode));
        }
    }

    /** Writes one request as a single frame (one TLS record), reads its response. */
    private static <T> T call(DataInputStream in, OutputStream out, ApiKeys api, short version, int correlationId,
                              ApiMessage body, Function<ByteBufferAccessor, T> reader) throws IOException {
        RequestHeader header = new RequestHeader(api, version, "warden-bench", correlationId);
        ByteBuffer h = MessageUtil.toByteBufferAccessor(header.data(), header.headerVersion()).buffer();
        ByteBuffer b = MessageUtil.toByteBufferAccessor(body, version).buffer();
        ByteBuffer frame = ByteBuffer.allocate(4 + h.remaining() + b.remaining());
        frame.putInt(h.remaining() + b.remaining()).put(h).put(b).flip();
        out.write(frame.array(), 0, frame.limit());
        out.flush();
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        ByteBuffer buf = ByteBuffer.wrap(payload);
        ResponseHeader responseHeader = ResponseHeader.parse(buf, api.responseHeaderVersion(version));
        if (responseHeader.correlationId() != correlationId) {
            throw new IOException(api + ": correlation id " + responseHeader.correlationId() + ", expected " + correlationId);
        }
        return reader.apply(new ByteBufferAccessor(buf));
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
