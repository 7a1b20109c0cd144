package io.warden.authn.oauth;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.warden.certs.CertificateFiles;
import io.warden.certs.CertificateIssuer;
import io.warden.certs.IssuedCertificate;
import io.warden.certs.KeyType;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP or HTTPS server that serves one JWKS document and counts every request it receives, whatever the
 * path, so tests can assert how often the gateway fetched keys (or that it never followed a URL from a token).
 */
final class JwksServer implements AutoCloseable {

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile String document;

    private JwksServer(HttpServer server, String document) {
        this.server = server;
        this.document = document;
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = this.document.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    static JwksServer http(String document) throws IOException {
        return new JwksServer(HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0), document);
    }

    /** An HTTPS server with a certificate for 127.0.0.1 from a fresh CA, whose certificate goes to {@code caFile}. */
    static JwksServer https(String document, Path caFile) throws IOException, GeneralSecurityException {
        IssuedCertificate ca = CertificateIssuer.createCa("Warden test JWKS CA", Duration.ofDays(1), KeyType.EC_P256);
        IssuedCertificate cert = CertificateIssuer.issueServer(ca, "localhost", List.of("localhost"),
                List.of("127.0.0.1"), Duration.ofDays(1), KeyType.EC_P256);
        CertificateFiles.writeCertificates(caFile, List.of(ca.certificate()), false);
        char[] password = "changeit".toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", cert.privateKey(), password, cert.chain().toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, password);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        return new JwksServer(server, document);
    }

    String url(String path) {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    void serve(String newDocument) {
        document = newDocument;
    }

    int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
