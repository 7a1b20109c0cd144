package io.warden.gateway.proxy;

import io.warden.certs.CertificateIssuer;
import io.warden.certs.IssuedCertificate;
import io.warden.certs.KeyType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

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
}
