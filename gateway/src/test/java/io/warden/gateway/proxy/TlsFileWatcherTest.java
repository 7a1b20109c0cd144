package io.warden.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.warden.certs.CertificateFiles;
import io.warden.certs.CertificateIssuer;
import io.warden.certs.IssuedCertificate;
import io.warden.certs.KeyType;
import io.warden.gateway.config.ListenerConfig;
import io.warden.gateway.config.PortRange;
import io.warden.gateway.config.TlsConfig;
import io.warden.policies.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

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
            TlsFileWatcher running = new TlsFileWatcher(vertx, listener, new GatewayStats(), t -> Future.succeededFuture());
            running.start();
            await().atMost(Duration.ofSeconds(10)).until(running::checking);

            TlsFileWatcher stopped = new TlsFileWatcher(vertx, listener, new GatewayStats(), t -> Future.succeededFuture());
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

    /** Files for a listener whose TLS files are checked every 100 ms. */
    /** A watcher whose servers take every swap, counted in {@code swaps}. */
    private static TlsFileWatcher counting(Vertx vertx, ListenerConfig listener, AtomicInteger swaps) {
        return new TlsFileWatcher(vertx, listener, new GatewayStats(), t -> {
            swaps.incrementAndGet();
            return Future.succeededFuture();
        });
    }

    /** Replaces the watched files with a new certificate and key of the same CA. */
    private static void renew(IssuedCertificate ca, Path dir) throws Exception {
        IssuedCertificate renewed = CertificateIssuer.issueServer(ca, "s2", List.of("localhost"), List.of(),
                Duration.ofDays(5), KeyType.EC_P256);
        CertificateFiles.writeCertificates(dir.resolve("s.crt"), renewed.chain(), true);
        CertificateFiles.writePrivateKey(dir.resolve("s.key"), renewed.privateKey(), true);
    }

    private static ListenerConfig watched(Path dir, IssuedCertificate server) throws Exception {
        CertificateFiles.writeCertificates(dir.resolve("s.crt"), server.chain(), true);
        CertificateFiles.writePrivateKey(dir.resolve("s.key"), server.privateKey(), true);
        TlsConfig tls = new TlsConfig(dir.resolve("s.crt"), dir.resolve("s.key"), null, null, null, TlsConfig.ClientAuth.NONE,
                null, List.of("TLSv1.3"), null, Duration.ofMillis(100), Duration.ofDays(1));
        return new ListenerConfig("tls", "127.0.0.1", "127.0.0.1", 9094, new PortRange(9200, 9209), 0, tls);
    }

    @Test
    void filesBrokenWhenCheckingStartsAreRejectedOnceAndAGoodReplacementIsStillTaken(@TempDir Path dir) throws Exception {
        IssuedCertificate ca = CertificateIssuer.createCa("CA", Duration.ofDays(3650), KeyType.EC_P256);
        ListenerConfig listener = watched(dir, CertificateIssuer.issueServer(ca, "s", List.of("localhost"), List.of(),
                Duration.ofDays(5), KeyType.EC_P256));
        // Replaced between the listener's load and the watcher's start by a key that is not the certificate's.
        IssuedCertificate other = CertificateIssuer.issueServer(ca, "other", List.of("localhost"), List.of(),
                Duration.ofDays(5), KeyType.EC_P256);
        CertificateFiles.writePrivateKey(dir.resolve("s.key"), other.privateKey(), true);
        Vertx vertx = Vertx.vertx();
        AtomicInteger swaps = new AtomicInteger();
        try (LogCapture log = LogCapture.attach(TlsFileWatcher.class.getName())) {
            TlsFileWatcher watcher = counting(vertx, listener, swaps);
            watcher.start();
            await().atMost(Duration.ofSeconds(10)).until(watcher::checking);
            Thread.sleep(1_000); // some ten checks of the same broken files
            assertThat(log.linesContaining("event=tls_reload_rejected")).singleElement().asString()
                    .contains("listener=tls", "does not belong to the certificate in " + dir.resolve("s.crt"))
                    .doesNotContain("PRIVATE KEY");
            assertThat(swaps.get()).isZero();

            renew(ca, dir);
            await().atMost(Duration.ofSeconds(10)).until(() -> swaps.get() == 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> !log.linesContaining("event=tls_reloaded").isEmpty());
            assertThat(log.linesContaining("event=tls_reload_rejected")).hasSize(1);
            watcher.stop();
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void filesReplacedWhileTheServersLoadThemAreLoadedAgain(@TempDir Path dir) throws Exception {
        IssuedCertificate ca = CertificateIssuer.createCa("CA", Duration.ofDays(3650), KeyType.EC_P256);
        ListenerConfig listener = watched(dir, CertificateIssuer.issueServer(ca, "s", List.of("localhost"), List.of(),
                Duration.ofDays(5), KeyType.EC_P256));
        Vertx vertx = Vertx.vertx();
        AtomicInteger swaps = new AtomicInteger();
        try {
            TlsFileWatcher watcher = counting(vertx, listener, swaps);
            watcher.snapshot().await();
            // Renewed after the note was taken and before checking starts: the servers may have loaded either pair.
            renew(ca, dir);
            watcher.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> swaps.get() == 1);
            Thread.sleep(500);
            assertThat(swaps.get()).as("loaded again once, not at every check").isEqualTo(1);
            watcher.stop();
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void aSwapTheServersFailedIsTriedAgainAtTheNextCheck(@TempDir Path dir) throws Exception {
        IssuedCertificate ca = CertificateIssuer.createCa("CA", Duration.ofDays(3650), KeyType.EC_P256);
        ListenerConfig listener = watched(dir, CertificateIssuer.issueServer(ca, "s", List.of("localhost"), List.of(),
                Duration.ofDays(5), KeyType.EC_P256));
        Vertx vertx = Vertx.vertx();
        AtomicInteger swaps = new AtomicInteger();
        try {
            TlsFileWatcher watcher = new TlsFileWatcher(vertx, listener, new GatewayStats(),
                    t -> swaps.incrementAndGet() == 1 ? Future.failedFuture("the server could not take them") : Future.succeededFuture());
            watcher.start();
            await().atMost(Duration.ofSeconds(10)).until(watcher::checking);
            renew(ca, dir);
            await().atMost(Duration.ofSeconds(10)).until(() -> swaps.get() >= 2);
            Thread.sleep(500);
            assertThat(swaps.get()).as("no more swaps once one succeeded").isEqualTo(2);
            watcher.stop();
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void aRenewedCertificateOfTheSameSizeAndTimeIsNoticed(@TempDir Path dir) throws Exception {
        IssuedCertificate ca = CertificateIssuer.createCa("CA", Duration.ofDays(3650), KeyType.EC_P256);
        ListenerConfig listener = watched(dir, CertificateIssuer.issueServer(ca, "s", List.of("localhost"), List.of(),
                Duration.ofDays(5), KeyType.EC_P256));
        Path crt = dir.resolve("s.crt");
        Path key = dir.resolve("s.key");
        byte[] oldCrt = Files.readAllBytes(crt);
        byte[] oldKey = Files.readAllBytes(key);
        FileTime crtTime = Files.getLastModifiedTime(crt);
        FileTime keyTime = Files.getLastModifiedTime(key);
        // A renewal of the same type whose files come out the same size (DER lengths vary by a byte or two).
        IssuedCertificate renewed;
        int attempts = 0;
        do {
            renewed = CertificateIssuer.issueServer(ca, "s", List.of("localhost"), List.of(), Duration.ofDays(5), KeyType.EC_P256);
            CertificateFiles.writeCertificates(dir.resolve("next.crt"), renewed.chain(), true);
            CertificateFiles.writePrivateKey(dir.resolve("next.key"), renewed.privateKey(), true);
        } while ((Files.size(dir.resolve("next.crt")) != oldCrt.length || Files.size(dir.resolve("next.key")) != oldKey.length)
                && ++attempts < 200);
        assertThat(Files.size(dir.resolve("next.crt"))).isEqualTo(oldCrt.length);
        assertThat(Files.size(dir.resolve("next.key"))).isEqualTo(oldKey.length);

        Vertx vertx = Vertx.vertx();
        AtomicInteger swaps = new AtomicInteger();
        try {
            TlsFileWatcher watcher = counting(vertx, listener, swaps);
            watcher.start();
            await().atMost(Duration.ofSeconds(10)).until(watcher::checking);
            Files.write(crt, Files.readAllBytes(dir.resolve("next.crt")));
            Files.write(key, Files.readAllBytes(dir.resolve("next.key")));
            Files.setLastModifiedTime(crt, crtTime);
            Files.setLastModifiedTime(key, keyTime);
            await().atMost(Duration.ofSeconds(10)).until(() -> swaps.get() == 1);
            watcher.stop();
        } finally {
            vertx.close().await();
        }
    }
}
