package io.warden.authn.store;

import io.warden.authn.store.SecretsSnapshot.Skip;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DecryptionFailureException;
import software.amazon.awssdk.services.secretsmanager.model.Filter;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsRequest;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One pass over Secrets Manager: list the secrets, read only those whose {@code AWSCURRENT} version is new, derive
 * their SCRAM credentials, and assemble the next {@link SecretsSnapshot}. Runs on the store's refresh thread only.
 * A failure that says nothing about one particular secret (network, throttling beyond retries, a refused
 * ListSecrets) aborts the pass so that the previous snapshot stays in force; a problem with one secret skips that
 * secret only.
 */
final class SecretsManagerRefresh {

    private static final Logger LOG = LoggerFactory.getLogger(SecretsManagerStore.class);
    private static final String CURRENT_STAGE = "AWSCURRENT";
    /** ListSecrets accepts at most ten values per filter. */
    private static final int FILTER_VALUES_PER_CALL = 10;
    private static final int PAGE_SIZE = 100;
    private static final String AWS_MANAGED_KEY_ALIAS = "alias/aws/secretsmanager";

    private final SecretsManagerClient client;
    private final SecretsManagerSettings settings;
    private final String store;

    SecretsManagerRefresh(SecretsManagerClient client, SecretsManagerSettings settings) {
        this.client = client;
        this.settings = settings;
        this.store = settings.describe();
    }

    /** What a pass produced: the next snapshot, how many secret values it read, and whether any user changed. */
    record Outcome(SecretsSnapshot snapshot, int fetched, boolean usersChanged) {
    }

    Outcome run(SecretsSnapshot previous) {
        SortedMap<String, Listed> listed = list();
        Derivation derivation = new Derivation(settings.iterations());
        Map<String, SecretEntry> secrets = new TreeMap<>();
        int fetched = 0;
        for (Listed secret : listed.values()) {
            if (secret.encryptedWithAwsManagedKey()) {
                // Checked on every pass: the key can change without a new version.
                secrets.put(secret.name(), SecretEntry.skipped(secret.name(), secret.currentVersionId(),
                        "encrypted with the AWS managed key aws/secretsmanager; Amazon MSK accepts only secrets encrypted"
                                + " with a customer managed KMS key", true));
                continue;
            }
            SecretEntry known = previous.secrets().get(secret.name());
            if (known != null && known.upToDate(secret.currentVersionId())) {
                secrets.put(secret.name(), known);
                continue;
            }
            if (secret.currentVersionId() == null) {
                secrets.put(secret.name(), SecretEntry.skipped(secret.name(), null, "no AWSCURRENT version", true));
                continue;
            }
            fetched++;
            SecretEntry entry = fetch(secret, derivation);
            if (entry != null) {
                secrets.put(secret.name(), entry);
            }
        }
        return assemble(previous, secrets, listed, fetched);
    }

    /**
     * A secret as ListSecrets describes it. {@code createdDate} may be null (then it counts as the newest);
     * {@code kmsKeyId} is left out by AWS when the secret is encrypted with the AWS managed key.
     */
    private record Listed(String name, String arn, String currentVersionId, Instant createdDate, String kmsKeyId) {

        /** Ordered oldest first, undated last, then by name: the order in which secrets may claim a user name. */
        static final Comparator<Listed> BY_AGE = Comparator.comparing(Listed::createdDate, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(Listed::name);

        boolean encryptedWithAwsManagedKey() {
            return kmsKeyId == null || kmsKeyId.isBlank() || kmsKeyId.equals(AWS_MANAGED_KEY_ALIAS);
        }
    }

    private SortedMap<String, Listed> list() {
        SortedMap<String, Listed> found = new TreeMap<>();
        for (List<String> values : filterValues()) {
            ListSecretsRequest request = ListSecretsRequest.builder()
                    .filters(Filter.builder().key(FilterNameStringType.NAME).values(values).build())
                    .maxResults(PAGE_SIZE)
                    .build();
            for (ListSecretsResponse page : client.listSecretsPaginator(request)) {
                for (SecretListEntry entry : page.secretList()) {
                    if (wanted(entry.name())) {
                        found.put(entry.name(), new Listed(entry.name(), entry.arn(), currentVersion(entry), entry.createdDate(),
                                entry.kmsKeyId()));
                    }
                }
            }
        }
        return found;
    }

    private List<List<String>> filterValues() {
        if (!settings.explicitNames()) {
            return List.of(List.of(settings.namePrefix()));
        }
        List<List<String>> chunks = new ArrayList<>();
        List<String> names = settings.secretNames();
        for (int i = 0; i < names.size(); i += FILTER_VALUES_PER_CALL) {
            chunks.add(names.subList(i, Math.min(names.size(), i + FILTER_VALUES_PER_CALL)));
        }
        return chunks;
    }

    /** The name filter matches prefixes; this keeps exactly the configured secrets. */
    private boolean wanted(String name) {
        if (name == null) {
            return false;
        }
        return settings.explicitNames() ? settings.secretNames().contains(name) : name.startsWith(settings.namePrefix());
    }

    private static String currentVersion(SecretListEntry entry) {
        for (Map.Entry<String, List<String>> version : entry.secretVersionsToStages().entrySet()) {
            if (version.getValue() != null && version.getValue().contains(CURRENT_STAGE)) {
                return version.getKey();
            }
        }
        return null;
    }

    /** Reads and derives one secret; null when it vanished since it was listed. */
    private SecretEntry fetch(Listed secret, Derivation derivation) {
        GetSecretValueResponse response;
        try {
            response = client.getSecretValue(b -> b.secretId(secret.arn() != null ? secret.arn() : secret.name())
                    .versionStage(CURRENT_STAGE));
        } catch (ResourceNotFoundException e) {
            return null;
        } catch (DecryptionFailureException | InvalidRequestException e) {
            return refused(secret, e);
        } catch (SecretsManagerException e) {
            if (e.awsErrorDetails() != null && "AccessDeniedException".equals(e.awsErrorDetails().errorCode())) {
                return refused(secret, e);
            }
            throw new SecretFetchException(secret.name(), e);
        } catch (RuntimeException e) {
            throw new SecretFetchException(secret.name(), e);
        }
        String versionId = response.versionId() != null ? response.versionId() : secret.currentVersionId();
        String value = response.secretString();
        if (value == null) {
            return SecretEntry.skipped(secret.name(), versionId,
                    "binary secret (SecretBinary); expected SecretString JSON {\"username\",\"password\"}", false);
        }
        try {
            UsernamePassword user = MskSecretValue.parse(value);
            return SecretEntry.user(secret.name(), versionId, user.username(), derivation.credentials(user.password()));
        } catch (MalformedSecretException e) {
            return SecretEntry.skipped(secret.name(), versionId, e.getMessage(), false);
        }
    }

    private static SecretEntry refused(Listed secret, SecretsManagerException e) {
        String code = e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : e.getClass().getSimpleName();
        return SecretEntry.skipped(secret.name(), secret.currentVersionId(), "GetSecretValue refused: " + code, true);
    }

    /**
     * The next snapshot. When several secrets name the same user, the oldest (CreatedDate, then name) provides it, so
     * that every gateway of a fleet chooses the same one whatever it saw before, and a secret created later never
     * takes a user over.
     */
    private Outcome assemble(SecretsSnapshot previous, Map<String, SecretEntry> secrets, SortedMap<String, Listed> listed,
                             int fetched) {
        Map<String, SecretEntry> users = new HashMap<>();
        Map<String, Skip> skipped = new TreeMap<>();
        List<Listed> byAge = new ArrayList<>(listed.values());
        byAge.sort(Listed.BY_AGE);
        for (Listed secret : byAge) {
            SecretEntry entry = secrets.get(secret.name());
            if (entry == null) {
                continue;
            }
            if (!entry.isUser()) {
                skipped.put(entry.secretName(), new Skip(entry.versionId(), entry.problem()));
                continue;
            }
            SecretEntry owner = users.putIfAbsent(entry.username(), entry);
            if (owner != null) {
                skipped.put(entry.secretName(), new Skip(entry.versionId(), "user name " + quoted(entry.username())
                        + " is already provided by secret " + owner.secretName() + ", created "
                        + (Objects.equals(listed.get(owner.secretName()).createdDate(), secret.createdDate())
                        ? "at the same time, whose name sorts first" : "earlier")));
            }
        }
        if (settings.explicitNames()) {
            List<String> missing = new ArrayList<>(settings.secretNames());
            missing.removeAll(listed.keySet());
            missing.forEach(name -> skipped.put(name, new Skip(null, "not found (or scheduled for deletion)")));
        }
        SecretsSnapshot next = new SecretsSnapshot(secrets, users, skipped);
        logSkips(previous, next);
        boolean changed = logUserChanges(previous, next);
        return new Outcome(next, fetched, changed);
    }

    private void logSkips(SecretsSnapshot previous, SecretsSnapshot next) {
        next.skipped().forEach((secret, skip) -> {
            if (!skip.equals(previous.skipped().get(secret))) {
                LOG.warn("event=secret_skipped store={} secret={} version={} reason={}", store, secret,
                        skip.versionId(), quoted(skip.reason()));
            }
        });
    }

    private boolean logUserChanges(SecretsSnapshot previous, SecretsSnapshot next) {
        boolean changed = false;
        for (SecretEntry now : next.users().values()) {
            SecretEntry before = previous.users().get(now.username());
            if (before == null) {
                LOG.info("event=scram_user_added store={} user={} secret={} version={}", store,
                        quoted(now.username()), now.secretName(), now.versionId());
                changed = true;
            } else if (before != now) {
                LOG.info("event=scram_user_updated store={} user={} secret={} version={}", store,
                        quoted(now.username()), now.secretName(), now.versionId());
                changed = true;
            }
        }
        for (SecretEntry before : previous.users().values()) {
            if (!next.users().containsKey(before.username())) {
                LOG.info("event=scram_user_removed store={} user={} secret={}", store, quoted(before.username()),
                        before.secretName());
                changed = true;
            }
        }
        return changed;
    }

    /** Quotes a value for a key=value log line, neutralising quotes and line breaks. */
    static String quoted(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /**
     * Derives the SCRAM credentials of every mechanism from a password. Kafka's formatter is not thread-safe, so each
     * pass makes its own, once per mechanism, on first use.
     */
    private static final class Derivation {

        private final int iterations;
        private final Map<ScramMechanism, ScramFormatter> formatters = new EnumMap<>(ScramMechanism.class);

        Derivation(int iterations) {
            this.iterations = iterations;
        }

        Map<ScramMechanism, ScramCredential> credentials(String password) {
            Map<ScramMechanism, ScramCredential> credentials = new EnumMap<>(ScramMechanism.class);
            for (ScramMechanism mechanism : ScramMechanism.values()) {
                credentials.put(mechanism, formatter(mechanism).generateCredential(password, iterations));
            }
            return credentials;
        }

        private ScramFormatter formatter(ScramMechanism mechanism) {
            return formatters.computeIfAbsent(mechanism, m -> {
                try {
                    return new ScramFormatter(m);
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException("JDK lacks " + m.hashAlgorithm(), e);
                }
            });
        }
    }
}
