package io.warden.dev;

import io.vertx.core.Vertx;
import io.warden.gateway.proxy.EventLoops;
import io.warden.authn.store.LocalUserStore;
import io.warden.gateway.config.AuthenticationConfig;
import io.warden.audit.AuditLog;
import io.warden.audit.FileSinkConfig;
import io.warden.audit.PemKeys;
import io.warden.gateway.config.AdminConfig;
import io.warden.gateway.config.AuditConfig;
import io.warden.authn.oauth.JwtSettings;
import io.warden.gateway.config.AuthorizationConfig;
import io.warden.gateway.config.HostPort;
import io.warden.gateway.config.LimitsConfig;
import io.warden.gateway.config.ListenerConfig;
import io.warden.gateway.config.PortRange;
import io.warden.gateway.config.SaslListenerConfig;
import io.warden.gateway.config.TlsConfig;
import io.warden.gateway.config.UpstreamConfig;
import io.warden.gateway.config.WardenConfig;
import io.warden.gateway.proxy.GatewayServer;

import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code warden demo}: a real Kafka broker in this JVM and the gateway in front of it: plaintext bootstrap on
 * 127.0.0.1:9092 unless {@code --port} says otherwise, TLS on port + 2 and mTLS on port + 3 with a generated
 * demo CA, SASL_SSL on port + 4 with two SCRAM users in a local user file, and client settings files for the Java
 * client and kcat. Ctrl-C stops both.
 */
final class Demo {

    private Demo() {
    }

    /** The local store's demo users; their passwords are made fresh at every start. */
    static final List<String> DEMO_USERS = List.of("alice", "bob");

    private static ListenerConfig listener(String name, int bootstrapPort, int firstBrokerPort, TlsConfig tls,
                                           SaslListenerConfig sasl) {
        return new ListenerConfig(name, "127.0.0.1", "127.0.0.1", bootstrapPort,
                new PortRange(firstBrokerPort, firstBrokerPort + 7), EmbeddedKafkaBroker.NODE_ID, tls, sasl);
    }

    /**
     * The demo's ACL policy. On the SASL_SSL listener alice may produce to (and create) {@code orders.} topics and bob
     * may consume them in group {@code billing}; nobody else may do anything there. The plaintext, TLS and mTLS
     * listeners' clients (User:ANONYMOUS and the demo client certificate) are super users, so the first lines the
     * demo prints work as they are.
     */
    static final String POLICY = """
            superUsers: ["User:ANONYMOUS", "User:CN=demo-client,OU=demo"]
            allowEveryoneIfNoAclFound: false
            acls:
              - principal: User:alice
                operations: [write, describe, create]
                topics: {prefix: orders.}
              - principal: User:bob
                operations: [read]
                topics: {prefix: orders.}
                group: billing
            """;

    private static Path writePolicy(Path file) throws java.io.IOException {
        java.nio.file.Files.writeString(file, POLICY);
        return file;
    }

    static final String ADMIN_ISSUER = "https://warden-demo.local";
    static final String ADMIN_AUDIENCE = "warden-admin";

    /**
     * A fresh signing key for the demo's admin tokens (its public half in {@code admin-jwks.json}, which the admin API
     * trusts) and a token for {@code User:demo-admin} with the policy-admin role, valid for a day; also written to
     * {@code admin-token.txt}.
     */
    static String adminToken(Path workDir) throws Exception {
        com.nimbusds.jose.jwk.ECKey key = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256)
                .keyID("warden-demo-admin").algorithm(com.nimbusds.jose.JWSAlgorithm.ES256).generate();
        java.nio.file.Files.writeString(workDir.resolve("admin-jwks.json"), new com.nimbusds.jose.jwk.JWKSet(key.toPublicJWK()).toString());
        com.nimbusds.jwt.JWTClaimsSet claims = new com.nimbusds.jwt.JWTClaimsSet.Builder()
                .issuer(ADMIN_ISSUER).audience(ADMIN_AUDIENCE).subject("demo-admin")
                .claim(AdminConfig.DEFAULT_ROLES_CLAIM, List.of(AdminConfig.POLICY_ADMIN))
                .issueTime(new java.util.Date()).expirationTime(java.util.Date.from(java.time.Instant.now().plus(Duration.ofDays(1))))
                .build();
        com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.ES256)
                .keyID(key.getKeyID()).type(com.nimbusds.jose.JOSEObjectType.JWT).build(), claims);
        jwt.sign(new com.nimbusds.jose.crypto.ECDSASigner(key));
        String token = jwt.serialize();
        Path file = workDir.resolve("admin-token.txt");
        java.nio.file.Files.deleteIfExists(file);
        java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        java.nio.file.Files.writeString(file, token + "\n");
        return token;
    }

    /** The demo's audit signing key, created on first use; its public half is {@code audit-key.pub.pem}. */
    private static Path auditKey(Path workDir) throws Exception {
        Path key = workDir.resolve("audit-key.pem");
        Path pub = workDir.resolve("audit-key.pub.pem");
        if (!java.nio.file.Files.exists(key) || !java.nio.file.Files.exists(pub)) {
            java.nio.file.Files.deleteIfExists(key);
            java.nio.file.Files.deleteIfExists(pub);
            PemKeys.generateEd25519(key, pub);
        }
        return key;
    }

    /** Writes the demo users to a fresh local user file; returns user name to password. */
    private static Map<String, String> createUsers(Path usersFile) throws java.io.IOException {
        java.nio.file.Files.deleteIfExists(usersFile);
        LocalUserStore store = LocalUserStore.loadOrEmpty(usersFile);
        Map<String, String> passwords = new java.util.LinkedHashMap<>();
        java.security.SecureRandom random = new java.security.SecureRandom();
        for (String user : DEMO_USERS) {
            byte[] bytes = new byte[12];
            random.nextBytes(bytes);
            String password = user + "-" + java.util.HexFormat.of().formatHex(bytes);
            store.addUser(user, password.toCharArray(), List.of(ScramMechanism.SCRAM_SHA_512, ScramMechanism.SCRAM_SHA_256), 8192);
            passwords.put(user, password);
        }
        return passwords;
    }

    static final String USAGE = "usage: warden demo [--port PORT] [--dir DIR]   (defaults: 9092, .warden-demo)";

    static int run(List<String> args) throws Exception {
        int port = 9092;
        Path workDir = Path.of(".warden-demo");
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            if (option.equals("--help") || option.equals("-h")) {
                System.out.println(USAGE);
                return 0;
            }
            String value = i + 1 < args.size() ? args.get(++i) : null;
            switch (option) {
                case "--port" -> {
                    if (value == null || !value.matches("[0-9]{1,5}") || Integer.parseInt(value) < 1
                            || Integer.parseInt(value) > 65535 - 407) {
                        System.err.println("--port: expected the first of the demo's ports, 1 to " + (65535 - 407)
                                + " (it uses ports up to 407 above it), got " + (value == null ? "nothing" : "'" + value + "'"));
                        return 2;
                    }
                    port = Integer.parseInt(value);
                }
                case "--dir" -> {
                    if (value == null || value.isBlank()) {
                        System.err.println("--dir: expected a directory for the demo's broker, keys and audit trail");
                        return 2;
                    }
                    workDir = Path.of(value);
                }
                default -> {
                    System.err.println("warden demo has no option " + option);
                    System.err.println(USAGE);
                    return 2;
                }
            }
        }
        System.out.println("Starting an embedded Kafka broker ...");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"), 0, Map.of());
        DemoPki pki = DemoPki.create(workDir.resolve("pki"));
        // MSK's layout: plaintext on the bootstrap port, TLS two above it (9094), mTLS three above (9095);
        // each listener's broker ports start 100, 200 and 300 above the plaintext bootstrap port.
        // SASL_SSL four above (9096, MSK's SASL/SCRAM port), broker ports from 400 above.
        int tlsPort = port + 2;
        int mtlsPort = port + 3;
        int saslPort = port + 4;
        ListenerConfig plain = listener("plaintext", port, port + 100, null, null);
        ListenerConfig tls = listener("tls", tlsPort, port + 200, pki.serverTls(TlsConfig.ClientAuth.NONE), null);
        ListenerConfig mtls = listener("mtls", mtlsPort, port + 300, pki.serverTls(TlsConfig.ClientAuth.REQUIRED), null);
        ListenerConfig sasl = listener("sasl-ssl", saslPort, port + 400, pki.serverTls(TlsConfig.ClientAuth.NONE),
                new SaslListenerConfig(List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"), false));
        Path usersFile = workDir.resolve("users.txt");
        Map<String, String> users = createUsers(usersFile);
        Path auditDir = workDir.resolve("audit");
        int adminPort = port + 88;
        String adminToken = adminToken(workDir);
        WardenConfig config = new WardenConfig(List.of(plain, tls, mtls, sasl),
                new UpstreamConfig(List.of(HostPort.parse(broker.bootstrapServers())), Duration.ofSeconds(10), Duration.ofSeconds(15)),
                new LimitsConfig(LimitsConfig.DEFAULT_MAX_FRAME_BYTES),
                new AuthenticationConfig(usersFile, null, null, AuthenticationConfig.DEFAULT_FAILURE_DELAY,
                        AuthenticationConfig.DEFAULT_SESSION_LIFETIME, true),
                new AuthorizationConfig(writePolicy(workDir.resolve("policy.yaml")), AuthorizationConfig.DEFAULT_RELOAD_CHECK),
                new AuditConfig(AuditLog.Mode.BEST_EFFORT, AuditConfig.DEFAULT_QUEUE_CAPACITY, AuditConfig.DEFAULT_MAX_BATCH,
                        FileSinkConfig.of(auditDir, auditKey(workDir)), false, null),
                new AdminConfig("127.0.0.1", adminPort, null,
                        JwtSettings.of(null, workDir.resolve("admin-jwks.json").toString(), ADMIN_ISSUER, ADMIN_AUDIENCE),
                        AdminConfig.DEFAULT_ROLES_CLAIM, Map.of()));
        List<Path> clientFiles = new java.util.ArrayList<>(pki.writeClientSettings(workDir, "127.0.0.1:" + tlsPort, "127.0.0.1:" + mtlsPort));
        for (Map.Entry<String, String> user : users.entrySet()) {
            clientFiles.addAll(pki.writeSaslSettings(workDir, "127.0.0.1:" + saslPort, user.getKey(), user.getValue()));
        }
        int firstBrokerPort = plain.brokerPorts().first();
        Vertx vertx = EventLoops.create(config.transport());
        GatewayServer gateway;
        try {
            gateway = GatewayServer.start(vertx, config).await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("error: the gateway could not start on 127.0.0.1:" + port + ": " + e.getMessage());
            vertx.close();
            broker.close();
            return 1;
        }

        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping Warden and the embedded broker ...");
            try {
                gateway.stop().eventually(vertx::close).await(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("warning: gateway stop: " + e.getMessage());
            }
            broker.close();
            done.countDown();
        }, "warden-demo-shutdown"));

        String bootstrap = "127.0.0.1:" + port;
        System.out.println();
        System.out.println("Warden demo is running.");
        System.out.println("  Warden bootstrap:    " + bootstrap + "   (plaintext; clients connect here)");
        System.out.println("  TLS bootstrap:       127.0.0.1:" + tlsPort + "   (server certificate from the demo CA)");
        System.out.println("  mTLS bootstrap:      127.0.0.1:" + mtlsPort + "   (client certificate required; principal User:CN=demo-client,OU=demo)");
        System.out.println("  SASL_SSL bootstrap:  127.0.0.1:" + saslPort + "   (SCRAM-SHA-512/256 or PLAIN as " + String.join(" or ", users.keySet())
                + "; users in " + usersFile + ")");
        System.out.println("  Broker ports:        " + firstBrokerPort + "-" + plain.brokerPorts().last() + ", "
                + tls.brokerPorts() + ", " + mtls.brokerPorts() + ", " + sasl.brokerPorts() + " on 127.0.0.1 (node "
                + EmbeddedKafkaBroker.NODE_ID + " is the first of each)");
        System.out.println("  Embedded broker:     " + broker.bootstrapServers() + "   (behind Warden; clients never need it)");
        System.out.println("  Demo CA and certificates: " + workDir.resolve("pki"));
        System.out.println();
        System.out.println("Try it:");
        System.out.println("  kcat -b " + bootstrap + " -L");
        System.out.println("  echo hello | kcat -b " + bootstrap + " -t demo -P");
        System.out.println("  kcat -b " + bootstrap + " -t demo -C -o beginning -e");
        System.out.println("  kafka-console-producer.sh --bootstrap-server " + bootstrap + " --topic demo");
        System.out.println("  kafka-console-consumer.sh --bootstrap-server " + bootstrap + " --topic demo --from-beginning");
        System.out.println();
        System.out.println("Over TLS, mTLS and SASL_SSL, with the client settings written for you:");
        for (Path f : clientFiles) {
            String name = f.getFileName().toString();
            if (name.endsWith(".conf")) {
                System.out.println("  kcat -F " + f + " -L");
            } else {
                int target = name.contains("sasl") ? saslPort : name.contains("mtls") ? mtlsPort : tlsPort;
                System.out.println("  kafka-console-producer.sh --bootstrap-server 127.0.0.1:" + target
                        + " --topic demo --producer.config " + f);
            }
        }
        System.out.println();
        System.out.println("ACL policy (" + workDir.resolve("policy.yaml") + "; edits apply within seconds):");
        POLICY.lines().forEach(l -> System.out.println("  " + l));
        System.out.println("For example, as alice then bob:");
        System.out.println("  echo order-1 | kcat -F " + workDir.resolve("kcat-sasl-alice.conf").toAbsolutePath() + " -t orders.demo -P");
        System.out.println("  kcat -F " + workDir.resolve("kcat-sasl-bob.conf").toAbsolutePath() + " -G billing orders.demo");
        System.out.println();
        // The launcher as the user invoked it, so the lines below work where they were printed.
        String launcher = System.getenv().getOrDefault("WARDEN_LAUNCHER", "./warden");
        System.out.println("Admin API: http://127.0.0.1:" + adminPort + "  (OpenAPI at /openapi.json; token for User:demo-admin, role policy-admin,");
        System.out.println("  valid 24 h, in " + workDir.resolve("admin-token.txt") + "):");
        System.out.println("  export WARDEN_ADMIN_TOKEN=" + adminToken);
        System.out.println("  curl -H \"Authorization: Bearer $WARDEN_ADMIN_TOKEN\" http://127.0.0.1:" + adminPort + "/v1/policy");
        System.out.println("  " + launcher + " policies list --url http://127.0.0.1:" + adminPort);
        System.out.println("  " + launcher + " policies explain --url http://127.0.0.1:" + adminPort
                + " --principal User:bob --operation READ --resource-type TOPIC --resource-name orders.demo");
        System.out.println("  kafka-acls.sh --bootstrap-server " + bootstrap + " --list   (ACLs are the gateway's own policy)");
        System.out.println();
        System.out.println("Audit trail (OCSF JSON lines, hash-chained, segments signed with " + workDir.resolve("audit-key.pem") + "):");
        System.out.println("  " + launcher + " audit query " + auditDir + " --topic orders.demo");
        System.out.println("  " + launcher + " audit verify " + auditDir + " --public-key " + workDir.resolve("audit-key.pub.pem"));
        System.out.println();
        System.out.println("Press Ctrl-C to stop.");
        done.await();
        return 0;
    }
}
