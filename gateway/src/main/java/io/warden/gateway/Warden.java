package io.warden.gateway;

import io.vertx.core.Vertx;
import io.warden.audit.AuditCommand;
import io.warden.authn.UsersCommand;
import io.warden.certs.CertsCommand;
import io.warden.policies.PoliciesCommand;
import io.warden.gateway.config.ConfigException;
import io.warden.gateway.config.ConfigLoader;
import io.warden.gateway.config.WardenConfig;
import io.warden.gateway.proxy.GatewayServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The {@code warden} command line of the production gateway.
 *
 * <pre>
 * warden run --config FILE        run the gateway
 * warden check-config FILE        validate a configuration file and exit
 * warden certs ...                 certificate authority tooling (see CertsCommand)
 * warden users ...                 the local SASL user store (see UsersCommand)
 * warden policies ...              validate and show ACL policy files (see PoliciesCommand)
 * warden audit ...                 verify and query audit logs (see AuditCommand)
 * </pre>
 */
public final class Warden {

    private static final Logger LOG = LoggerFactory.getLogger(Warden.class);

    private Warden() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            usage();
            return args.length == 0 ? 2 : 0;
        }
        try {
            switch (args[0]) {
                case "run" -> {
                    if (args.length != 3 || !args[1].equals("--config")) {
                        System.err.println("usage: warden run --config FILE");
                        return 2;
                    }
                    return runGateway(ConfigLoader.load(Path.of(args[2])));
                }
                case "certs" -> {
                    return CertsCommand.run(java.util.Arrays.asList(args).subList(1, args.length), System.out, System.err);
                }
                case "users" -> {
                    return UsersCommand.run(java.util.Arrays.asList(args).subList(1, args.length), System.in, System.out, System.err);
                }
                case "policies" -> {
                    if (args.length > 1 && io.warden.gateway.admin.AdminCommand.COMMANDS.contains(args[1])) {
                        return io.warden.gateway.admin.AdminCommand.run(java.util.Arrays.asList(args).subList(1, args.length),
                                System.out, System.err);
                    }
                    return PoliciesCommand.run(java.util.Arrays.asList(args).subList(1, args.length), System.out, System.err);
                }
                case "audit" -> {
                    return AuditCommand.run(java.util.Arrays.asList(args).subList(1, args.length), System.out, System.err);
                }
                case "check-config" -> {
                    if (args.length != 2) {
                        System.err.println("usage: warden check-config FILE");
                        return 2;
                    }
                    ConfigLoader.load(Path.of(args[1]));
                    System.out.println(args[1] + ": ok");
                    return 0;
                }
                default -> {
                    System.err.println("warden: unknown command '" + args[0] + "'");
                    usage();
                    return 2;
                }
            }
        } catch (ConfigException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }

    private static int runGateway(WardenConfig config) {
        Vertx vertx = Vertx.vertx();
        GatewayServer gateway;
        try {
            gateway = GatewayServer.start(vertx, config).await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("error: gateway failed to start: " + e.getMessage());
            vertx.close();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("event=shutdown");
            try {
                gateway.stop().eventually(vertx::close).await(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("event=shutdown_incomplete reason=\"{}\"", e.getMessage());
            }
            stopped.countDown();
        }, "warden-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static void usage() {
        System.err.println("""
                usage: warden <command>
                  run --config FILE     run the gateway with this configuration
                  check-config FILE     validate a configuration file
                  certs ...             create a CA, issue server and client certificates, inspect them
                  users ...             add, remove and list SASL/SCRAM users in a local user file
                  policies ...          validate an ACL policy file, or show the ACLs it grants; list, apply,
                                        diff, explain, history, rollback: the running gateway's policy (admin API)
                  audit ...             verify an audit log's hash chains and signatures, or query it
                """);
    }
}
