package io.warden.gateway;

import io.vertx.core.Vertx;
import io.warden.audit.AuditCommand;
import io.warden.authn.UsersCommand;
import io.warden.certs.CertsCommand;
import io.warden.policies.PoliciesCommand;
import io.warden.gateway.config.ConfigException;
import io.warden.gateway.config.ConfigLoader;
import io.warden.gateway.config.WardenConfig;
import io.warden.gateway.proxy.EventLoops;
import io.warden.gateway.proxy.GatewayServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
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
 *
 * <p>{@code WARDEN_LOG_FORMAT=json} makes every log line one JSON object (see log4j2.xml); {@code text}, the default,
 * prints {@code key=value} lines. An environment variable rather than a configuration key, so that the lines written
 * before the configuration is read, and those about a broken configuration, have the same format as all others.
 */
public final class Warden {

    private static final Logger LOG = LoggerFactory.getLogger(Warden.class);

    static final String LOG_FORMAT_ENV = "WARDEN_LOG_FORMAT";
    private static final Set<String> LOG_FORMATS = Set.of("text", "json");

    /** How long, beyond the drain timeout, writing out the audit trail and closing everything else may take. */
    private static final Duration STOP_MARGIN = Duration.ofSeconds(60);
    /** How often the configuration file is checked for new quotas. */
    private static final Duration QUOTAS_CHECK = Duration.ofSeconds(5);

    private Warden() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    static int run(String[] args, java.io.InputStream in, PrintStream out, PrintStream err) {
        String logFormat = System.getenv(LOG_FORMAT_ENV);
        if (logFormat != null && !LOG_FORMATS.contains(logFormat)) {
            err.println("error: " + LOG_FORMAT_ENV + ": expected text or json, got '" + logFormat + "'");
            return 2;
        }
        if (args.length == 0 || isHelp(args[0])) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String help = helpFor(args);
        if (help != null) {
            out.println(help.stripTrailing());
            return 0;
        }
        try {
            switch (args[0]) {
                case "run" -> {
                    if (args.length != 3 || !args[1].equals("--config")) {
                        err.println(RUN_USAGE);
                        return 2;
                    }
                    return runGateway(Path.of(args[2]), ConfigLoader.load(Path.of(args[2])));
                }
                case "certs" -> {
                    return CertsCommand.run(java.util.Arrays.asList(args).subList(1, args.length), out, err);
                }
                case "users" -> {
                    return UsersCommand.run(java.util.Arrays.asList(args).subList(1, args.length), in, out, err);
                }
                case "policies" -> {
                    if (args.length > 1 && io.warden.gateway.admin.AdminCommand.COMMANDS.contains(args[1])) {
                        return io.warden.gateway.admin.AdminCommand.run(java.util.Arrays.asList(args).subList(1, args.length),
                                out, err);
                    }
                    return PoliciesCommand.run(java.util.Arrays.asList(args).subList(1, args.length), out, err);
                }
                case "audit" -> {
                    return AuditCommand.run(java.util.Arrays.asList(args).subList(1, args.length), out, err);
                }
                case "check-config" -> {
                    if (args.length != 2) {
                        err.println(CHECK_CONFIG_USAGE);
                        return 2;
                    }
                    ConfigLoader.load(Path.of(args[1]));
                    out.println(args[1] + ": ok");
                    return 0;
                }
                default -> {
                    err.println("warden: unknown command '" + args[0] + "'");
                    err.print(USAGE);
                    return 2;
                }
            }
        } catch (ConfigException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
    }

    private static boolean isHelp(String arg) {
        return arg.equals("--help") || arg.equals("-h") || arg.equals("help");
    }

    /**
     * The usage of the command {@code args} asks help for ({@code warden users --help}, {@code warden users add -h},
     * {@code warden audit query DIR --type produce --help}: the option anywhere after the command), or null. A file named
     * {@code help} is still a file: the word asks for help only right after a command other than check-config.
     */
    private static String helpFor(String[] args) {
        boolean asked = args.length > 1 && args[1].equals("help") && !args[0].equals("check-config");
        for (int i = 1; i < args.length && !asked; i++) {
            asked = args[i].equals("--help") || args[i].equals("-h");
        }
        if (!asked) {
            return null;
        }
        return switch (args[0]) {
            case "run" -> RUN_USAGE;
            case "check-config" -> CHECK_CONFIG_USAGE;
            case "certs" -> CertsCommand.usage();
            case "users" -> UsersCommand.usage();
            case "policies" -> PoliciesCommand.usage() + "\n" + io.warden.gateway.admin.AdminCommand.USAGE;
            case "audit" -> AuditCommand.USAGE;
            default -> null;
        };
    }

    private static int runGateway(Path configFile, WardenConfig config) {
        Vertx vertx = EventLoops.create(config.transport());
        GatewayServer gateway;
        try {
            gateway = GatewayServer.start(vertx, config).await(60, TimeUnit.SECONDS);
            gateway.watchQuotas(configFile, QUOTAS_CHECK);
        } catch (Exception e) {
            System.err.println("error: gateway failed to start: " + e.getMessage());
            vertx.close();
            return 1;
        }
        Duration drain = config.shutdown().drainTimeout();
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        TerminationSignals.handle(stopRequested::countDown, () -> stopRequested.getCount() == 0);
        // Any other way the JVM is told to exit (SIGHUP, a signal the JVM keeps for itself) drains the same way.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopRequested.countDown();
            awaitQuietly(stopped, drain.plus(STOP_MARGIN));
        }, "warden-shutdown"));
        awaitQuietly(stopRequested, null);
        int status;
        try {
            gateway.shutdown(drain).eventually(vertx::close).await(drain.plus(STOP_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
            status = 0;
        } catch (Exception e) {
            LOG.warn("event=shutdown_incomplete reason=\"{}\"", e.getMessage());
            status = 1;
        }
        stopped.countDown();
        return status;
    }

    /** Waits for the latch, at most {@code timeout} (null: without limit), through interruptions. */
    private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
        boolean interrupted = false;
        while (true) {
            try {
                if (timeout == null) {
                    latch.await();
                } else {
                    latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
                }
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static final String RUN_USAGE = "usage: warden run --config FILE";
    private static final String CHECK_CONFIG_USAGE = "usage: warden check-config FILE";
    private static final String USAGE = """
                usage: warden <command>
                  run --config FILE     run the gateway with this configuration
                  check-config FILE     validate a configuration file
                  certs ...             create a CA, issue server and client certificates, inspect them
                  users ...             add, remove and list SASL/SCRAM users in a local user file
                  policies ...          validate an ACL policy file, or show the ACLs it grants; list, apply,
                                        diff, explain, history, rollback: the running gateway's policy (admin API)
                  audit ...             verify an audit log's hash chains and signatures, or query it
                  COMMAND --help        the usage of one command
                """;
}
