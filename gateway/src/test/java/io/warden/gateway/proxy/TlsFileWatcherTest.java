package io.warden.gateway.proxy;

import io.vertx.core.Vertx;
import io.warden.certs.CertificateFiles;
import io.warden.certs.CertificateIssuer;
import io.warden.certs.IssuedCertificate;
import io.warden.certs.KeyType;
import io.warden.gateway.config.ListenerConfig;
import io.warden.gateway.config.PortRange;
import io.warden.gateway.config.TlsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class TlsFileWatcherTest {

    @Test
    void warnsOnlyAboutCertificatesExpiringWithinTheWindow() {
        IssuedCertificate ca = CertificateIssuer.createCa("CA", Duration.ofDays(3650), KeyType.EC_P256);
        IssuedCertificate server = CertificateIssuer.issueServer(ca, "s", List.of("localhost"), List.of(), Duration.ofDays(5), KeyType.EC_P256);

        assertThat(TlsFileWatcher.expiringWithin(server.chain(), Duration.ofDays(30), Instant.now()))
                .containsExactly(server.certificate());
        assertThat(TlsFileWatcher.expiringWithin(server.chain(), Duration.ofDays(1), Instant.now())).isEmpty();
        assertThat(TlsFileWatcher.expiringWithin(server.chain(), Duration.ofDays(30), Instant.now().plus(Duration.ofDays(3650))))
                .containsExactly(server.certificate(), ca.certificate());
    }

    @Test
    void aChainIsRefusedOutsideTheValidityOfAnyOfItsCertificates() {
        IssuedCertificate ca = CertificateIssuer.createCa("CA", Duration.ofDays(3650), KeyType.EC_P256);
        IssuedCertificate server = CertificateIssuer.issueServer(ca, "s", List.of("localhost"), List.of(), Duration.ofDays(5), KeyType.EC_P256);
        Path file = Path.of("server-chain.crt");

        TlsFileWatcher.requireValidAt(server.chain(), file, Instant.now());
        assertThatThrownBy(() -> TlsFileWatcher.requireValidAt(server.chain(), file, Instant.now().plus(Duration.ofDays(6))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("server-chain.crt: certificate \"CN=s\" is valid from ")
                .hasMessageContaining(server.certificate().getNotAfter().toInstant().toString()).hasMessageEndingWith(", no longer");
        assertThatThrownBy(() -> TlsFileWatcher.requireValidAt(server.chain(), file, Instant.now().minus(Duration.ofDays(1))))
                .hasMessageEndingWith(", not yet");
    }

    @Test
    void stoppedRightAfterStartItNeverStartsChecking(@TempDir Path dir) throws Exception {
        IssuedCertificate ca = CertificateIssuer.createCa("CA", Duration.ofDays(3650), KeyType.EC_P256);
        IssuedCertificate server = CertificateIssuer.issueServer(ca, "s", List.of("localhost"), List.of(), Duration.ofDays(5), KeyType.EC_P256);
        CertificateFiles.writeCertificates(dir.resolve("s.crt"), server.chain(), true);
        CertificateFiles.writePrivateKey(dir.resolve("s.key"), server.privateKey(), true);
        TlsConfig tls = new TlsConfig(dir.resolve("s.crt"), dir.resolve("s.key"), null, null, null, TlsConfig.ClientAuth.NONE,
                null, List.of("TLSv1.3"), null);
        ListenerConfig listener = new ListenerConfig("tls", "127.0.0.1", "127.0.0.1", 9094, new PortRange(9200, 9209), 0, tls);
        Vertx vertx = Vertx.vertx();
        try {
            TlsFileWatcher running = new TlsFileWatcher(vertx, listener, new GatewayStats(), t -> { });
            running.start();
            await().atMost(Duration.ofSeconds(10)).until(running::checking);

            TlsFileWatcher stopped = new TlsFileWatcher(vertx, listener, new GatewayStats(), t -> { });
            stopped.start();
            stopped.stop();
            Thread.sleep(1_000);
            assertThat(stopped.checking()).isFalse();
            running.stop();
            assertThat(running.checking()).isFalse();
        } finally {
            vertx.close().await();
        }
    }
}
