package io.warden.gateway.it;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.warden.authn.UsersCommand;
import io.warden.certs.CertificateFiles;
import io.warden.certs.CertificateIssuer;
import io.warden.certs.IssuedCertificate;
import io.warden.certs.KeyType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a SASL test needs on disk, made fresh by the test: a CA and server certificate for the SASL_SSL
 * listener, a local user file (written with {@code warden users add}), and an RSA key whose public half is served as
 * a JWKS file, for signing OAUTHBEARER tokens.
 */
final class SaslPki {

    static final String ISSUER = "https://issuer.warden.test";
    static final String AUDIENCE = "kafka";

    /** A SASL_SSL listener offering SCRAM-SHA-512, with this class's server certificate, for a gateway YAML file. */
    static final String SCRAM_SHA_512_LISTENER = """
            listeners:
              - name: sasl-ssl
                bootstrapPort: ${BOOTSTRAP_PORT}
                brokerPorts: ${BROKER_PORTS}
                tls: {certificate: server-chain.crt, key: server.key}
                sasl: {mechanisms: [SCRAM-SHA-512]}
            """;

    /** A SASL_PLAINTEXT listener offering SCRAM-SHA-512 to the users of this class's user file. */
    static final String SCRAM_PLAINTEXT_USERS = """
            listeners:
              - name: sasl
                bootstrapPort: ${BOOTSTRAP_PORT}
                brokerPorts: ${BROKER_PORTS}
                sasl: {mechanisms: [SCRAM-SHA-512], allowPlaintext: true}
            authentication:
              users: {file: users.txt}
            """;

    /** {@link #SCRAM_PLAINTEXT_USERS} with the policy in {@code policy.yaml}, in front of {@code ${UPSTREAM}}. */
    static final String SCRAM_WITH_POLICY = SCRAM_PLAINTEXT_USERS + """
            authorization:
              policyFile: policy.yaml
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
            """;

    /** The same users and policy on a SASL_SSL listener (this class's server certificate). */
    static final String SCRAM_SSL_WITH_POLICY = SCRAM_SHA_512_LISTENER + """
            authentication:
              users: {file: users.txt}
            authorization:
              policyFile: policy.yaml
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
            """;

    final Path dir;
    final RSAKey signingKey;
    /** The test CA, which signed the server certificate; it can issue client certificates too. */
    final IssuedCertificate ca;

    SaslPki() throws Exception {
        dir = Files.createTempDirectory("warden-sasl-it");
        Duration year = Duration.ofDays(365);
        ca = CertificateIssuer.createCa("SASL Test CA", year, KeyType.EC_P256);
        IssuedCertificate server = CertificateIssuer.issueServer(ca, "warden", List.of("localhost"), List.of("127.0.0.1"), year, KeyType.EC_P256);
        CertificateFiles.writeCertificates(dir.resolve("ca.crt"), List.of(ca.certificate()), true);
        CertificateFiles.writeCertificates(dir.resolve("server-chain.crt"), server.chain(), true);
        CertificateFiles.writePrivateKey(dir.resolve("server.key"), server.privateKey(), true);
        signingKey = new RSAKeyGenerator(2048).keyID("test-key-1").algorithm(JWSAlgorithm.RS256).generate();
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(signingKey.toPublicJWK()).toString());
    }

    /**
     * A new PKI whose user store holds these users, each with the password {@code <name>-secret}, and whose
     * directory holds {@code policy.yaml} with this policy.
     */
    static SaslPki withUsersAndPolicy(String policy, String... users) throws Exception {
        SaslPki pki = new SaslPki();
        for (String user : users) {
            pki.addUser(user, user + "-secret");
        }
        java.nio.file.Files.writeString(pki.dir.resolve("policy.yaml"), policy);
        return pki;
    }

    /** Adds a user to the local store file with {@code warden users add}. */
    void addUser(String name, String password) {
        addUser(name, password, UsersCommand.DEFAULT_ITERATIONS);
    }

    /** Adds (or replaces) a user whose SCRAM credentials use this iteration count. */
    void addUser(String name, String password, int iterations) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = UsersCommand.run(List.of("add", "--file", dir.resolve("users.txt").toString(), "--name", name,
                        "--iterations", String.valueOf(iterations)),
                new ByteArrayInputStream((password + "\n").getBytes(StandardCharsets.UTF_8)),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        if (status != 0) {
            throw new IllegalStateException("warden users add failed: " + err);
        }
    }

    /** A token signed by the test key, valid for {@code lifetime}. */
    String token(String subject, Duration lifetime) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER).audience(AUDIENCE).subject(subject)
                .issueTime(new Date()).expirationTime(Date.from(Instant.now().plus(lifetime)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signingKey.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(signingKey));
        return jwt.serialize();
    }

    /** Java client settings for SASL_SSL with this mechanism and JAAS line. */
    Map<String, Object> client(String mechanism, String jaas) throws IOException {
        Map<String, Object> c = new HashMap<>();
        c.put("security.protocol", "SASL_SSL");
        c.put("ssl.truststore.type", "PEM");
        c.put("ssl.truststore.certificates", Files.readString(dir.resolve("ca.crt")));
        c.put("sasl.mechanism", mechanism);
        c.put("sasl.jaas.config", jaas);
        return c;
    }

    Map<String, Object> scram(String mechanism, String user, String password) throws IOException {
        return client(mechanism, "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
    }

    Map<String, Object> plain(String user, String password) throws IOException {
        return client("PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
    }
}
