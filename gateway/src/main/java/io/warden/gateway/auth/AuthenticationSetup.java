package io.warden.gateway.auth;

import io.warden.authn.PlainServerExchange;
import io.warden.authn.oauth.JwtValidator;
import io.warden.authn.oauth.OAuthBearerServerExchange;
import io.warden.authn.sasl.SaslServerExchange;
import io.warden.authn.scram.FakeCredentials;
import io.warden.authn.scram.ScramServerExchange;
import io.warden.authn.store.CredentialStore;
import io.warden.authn.store.LocalUserStore;
import io.warden.authn.store.SecretsManagerStore;
import io.warden.authn.store.UsernamePassword;
import io.warden.authn.store.SecretsManagerSettings;
import io.warden.gateway.config.AuthenticationConfig;
import io.warden.gateway.config.UpstreamSaslConfig;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Builds the gateway's authentication from its configuration at start: opens the credential store (the first
 * Secrets Manager read happens here, on the caller's thread, which is never an event loop), the JWT validator, and
 * resolves the gateway's own upstream password. Blocking by design; called once, before any listener opens.
 */
public final class AuthenticationSetup {

    private static final Logger LOG = LoggerFactory.getLogger(AuthenticationSetup.class);
    private static final Duration LOCAL_FILE_CHECK = Duration.ofSeconds(5);

    private AuthenticationSetup() {
    }

    /** The authentication for SASL listeners, or null when the configuration has none. */
    public static Authentication start(AuthenticationConfig config) {
        if (config == null) {
            return null;
        }
        List<AutoCloseable> resources = new ArrayList<>();
        Map<String, Supplier<SaslServerExchange>> mechanisms = new LinkedHashMap<>();
        // Unknown users must look like known ones, down to the iteration count in the server-first message: with a
        // user file, the count most of its credentials use, followed when the file is reloaded.
        FakeCredentials fakes = fakeCredentials(config, System::getenv);
        CredentialStore store = openStore(config, resources, reloaded -> fakes.follow(usualIterations(reloaded)));
        if (store != null) {
            fakes.follow(config.secretsManager() != null ? config.secretsManager().iterations() : usualIterations(store));
            boolean legacy = config.allowLegacyScramNonce();
            mechanisms.put("SCRAM-SHA-512", () -> new ScramServerExchange(ScramMechanism.SCRAM_SHA_512, store, fakes, legacy));
            mechanisms.put("SCRAM-SHA-256", () -> new ScramServerExchange(ScramMechanism.SCRAM_SHA_256, store, fakes, legacy));
            mechanisms.put("PLAIN", () -> new PlainServerExchange(store, fakes));
        }
        if (config.oauthBearer() != null) {
            JwtValidator validator = new JwtValidator(config.oauthBearer());
            mechanisms.put(OAuthBearerServerExchange.MECHANISM, () -> new OAuthBearerServerExchange(validator));
        }
        return new Authentication(mechanisms, config.failureDelay(), config.maxSessionLifetime(), resources, store);
    }

    /**
     * Stand-in credentials for unknown names: with {@code unknownUserKeyEnv}, salts every gateway sharing that key
     * derives alike; otherwise from a key of this process.
     */
    static FakeCredentials fakeCredentials(AuthenticationConfig config, Function<String, String> environment) {
        String variable = config.unknownUserKeyEnv();
        if (variable == null) {
            return new FakeCredentials(FakeCredentials.DEFAULT_ITERATIONS);
        }
        String key = environment.apply(variable);
        String problem = AuthenticationConfig.unknownUserKeyProblem(variable, key);
        if (problem != null) {
            throw new IllegalStateException("authentication.unknownUserKeyEnv: " + problem);
        }
        return new FakeCredentials(FakeCredentials.DEFAULT_ITERATIONS, key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The iteration count most of the store's credentials use (the local file may mix counts). */
    static int usualIterations(CredentialStore store) {
        Map<Integer, Integer> counts = new java.util.HashMap<>();
        for (String user : store.users()) {
            for (ScramMechanism m : ScramMechanism.values()) {
                store.credential(user, m).ifPresent(c -> counts.merge(c.iterations(), 1, Integer::sum));
            }
        }
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElse(io.warden.authn.UsersCommand.DEFAULT_ITERATIONS);
    }

    private static CredentialStore openStore(AuthenticationConfig config, List<AutoCloseable> resources,
                                             java.util.function.Consumer<CredentialStore> onReload) {
        if (config.usersFile() != null) {
            LocalUserStore local = LocalUserStore.load(config.usersFile());
            ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "warden-users-file");
                t.setDaemon(true);
                return t;
            });
            watcher.scheduleWithFixedDelay(() -> {
                try {
                    if (local.reloadIfChanged()) {
                        onReload.accept(local);
                        LOG.info("event=users_reloaded store={} users={}", local.describe(), local.users().size());
                    }
                } catch (RuntimeException e) {
                    LOG.warn("event=users_reload_failed store={} reason=\"{}\"", local.describe(), e.getMessage());
                }
            }, LOCAL_FILE_CHECK.toMillis(), LOCAL_FILE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
            resources.add(watcher::shutdownNow);
            LOG.info("event=user_store_loaded store={} users={}", local.describe(), local.users().size());
            return local;
        }
        if (config.secretsManager() != null) {
            SecretsManagerStore secrets = new SecretsManagerStore(config.secretsManager());
            resources.add(secrets);
            try {
                secrets.start().join();
                LOG.info("event=user_store_loaded store={} users={}", secrets.describe(), secrets.users().size());
            } catch (RuntimeException e) {
                // Keep running: the refresh schedule retries, and until then SCRAM logins fail like unknown users.
                LOG.warn("event=user_store_unavailable store={} reason=\"{}\"", secrets.describe(), rootMessage(e));
            }
            return secrets;
        }
        return null;
    }

    /** The gateway's own identity on the brokers, with its password read now; null when the brokers need no SASL. */
    public static UpstreamIdentity upstreamIdentity(UpstreamSaslConfig sasl) {
        return upstreamIdentity(sasl, System::getenv);
    }

    static UpstreamIdentity upstreamIdentity(UpstreamSaslConfig sasl, Function<String, String> environment) {
        if (sasl == null) {
            return null;
        }
        String password;
        if (sasl.password() instanceof UpstreamSaslConfig.InlinePassword inline) {
            password = inline.value();
        } else if (sasl.password() instanceof UpstreamSaslConfig.EnvironmentPassword env) {
            password = environment.apply(env.variable());
            String problem = env.problem(password);
            if (problem != null) {
                throw new IllegalStateException("upstream.sasl.passwordEnv: " + problem);
            }
        } else {
            UpstreamSaslConfig.SecretPassword secret = (UpstreamSaslConfig.SecretPassword) sasl.password();
            SecretsManagerSettings settings = SecretsManagerSettings.of(secret.region()).withEndpointOverride(secret.endpoint());
            UsernamePassword read = SecretsManagerStore.readSecret(settings, secret.secretName());
            if (!read.username().equals(sasl.username())) {
                throw new IllegalStateException("upstream.sasl.passwordSecret: secret " + secret.secretName()
                        + " is for user '" + read.username() + "', not '" + sasl.username() + "'");
            }
            password = read.password();
        }
        return new UpstreamIdentity(sasl.mechanism(), sasl.username(), password);
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
