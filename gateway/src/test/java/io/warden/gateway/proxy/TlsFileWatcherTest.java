package io.warden.gateway.proxy;

import io.warden.certs.CertificateIssuer;
import io.warden.certs.IssuedCertificate;
import io.warden.certs.KeyType;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
