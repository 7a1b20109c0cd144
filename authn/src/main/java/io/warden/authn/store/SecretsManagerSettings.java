package io.warden.authn.store;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where {@link SecretsManagerStore} finds its SCRAM users and how often it looks. The defaults follow Amazon MSK: every
 * secret whose name starts with {@code AmazonMSK_}, re-read every five minutes, so a gateway can serve the same users
 * as an MSK cluster from the same secrets. An explicit list of secret names replaces the prefix when only some of
 * those secrets are meant for the gateway.
 *
 * @param region              AWS region of the secrets, e.g. {@code eu-west-1}
 * @param endpointOverride    Secrets Manager endpoint to use instead of the region's (VPC endpoint, tests); null for
 *                            the region's
 * @param namePrefix          name prefix of the secrets to read when {@code secretNames} is empty; null for
 *                            {@code AmazonMSK_}
 * @param secretNames         exact secret names to read; when non-empty the prefix is not used
 * @param refreshInterval     time between refreshes, at least one second; null for five minutes
 * @param iterations          PBKDF2 iterations of the SCRAM credentials derived from the passwords (4096..16384)
 * @param credentialsProvider AWS credentials; null for the SDK's default chain (environment, profile, container or
 *                            instance role)
 */
public record SecretsManagerSettings(String region, URI endpointOverride, String namePrefix, List<String> secretNames,
                                     Duration refreshInterval, int iterations,
                                     AwsCredentialsProvider credentialsProvider) {

    /** The prefix Amazon MSK requires for the names of its SCRAM secrets. */
    public static final String MSK_PREFIX = "AmazonMSK_";
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(5);
    public static final int DEFAULT_ITERATIONS = 4096;
    public static final int MIN_ITERATIONS = 4096;
    public static final int MAX_ITERATIONS = 16384;

    /**
     * Characters Secrets Manager allows in secret names. Checking them also keeps a configured value from reaching
     * ListSecrets as a negated filter ({@code !name}).
     */
    private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9/_+=.@-]{1,512}");

    public SecretsManagerSettings {
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("Secrets Manager region is required");
        }
        if (endpointOverride != null && !("https".equals(endpointOverride.getScheme())
                || "http".equals(endpointOverride.getScheme()))) {
            throw new IllegalArgumentException("Secrets Manager endpoint must be an http(s) URI: " + endpointOverride);
        }
        namePrefix = namePrefix == null ? MSK_PREFIX : namePrefix;
        checkName("secret name prefix", namePrefix);
        secretNames = secretNames == null ? List.of() : List.copyOf(secretNames);
        secretNames.forEach(name -> checkName("secret name", name));
        if (secretNames.stream().distinct().count() != secretNames.size()) {
            throw new IllegalArgumentException("secret names must not repeat: " + secretNames);
        }
        refreshInterval = refreshInterval == null ? DEFAULT_REFRESH_INTERVAL : refreshInterval;
        if (refreshInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("Secrets Manager refresh interval must be at least 1s: " + refreshInterval);
        }
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("SCRAM iterations must be between " + MIN_ITERATIONS + " and "
                    + MAX_ITERATIONS + ": " + iterations);
        }
    }

    /** Every {@code AmazonMSK_*} secret of {@code region}, refreshed every five minutes, 4096 iterations. */
    public static SecretsManagerSettings of(String region) {
        return new SecretsManagerSettings(region, null, null, List.of(), null, DEFAULT_ITERATIONS, null);
    }

    public SecretsManagerSettings withEndpointOverride(URI endpoint) {
        return new SecretsManagerSettings(region, endpoint, namePrefix, secretNames, refreshInterval, iterations,
                credentialsProvider);
    }

    public SecretsManagerSettings withNamePrefix(String prefix) {
        return new SecretsManagerSettings(region, endpointOverride, prefix, secretNames, refreshInterval, iterations,
                credentialsProvider);
    }

    public SecretsManagerSettings withSecretNames(List<String> names) {
        return new SecretsManagerSettings(region, endpointOverride, namePrefix, names, refreshInterval, iterations,
                credentialsProvider);
    }

    public SecretsManagerSettings withRefreshInterval(Duration interval) {
        return new SecretsManagerSettings(region, endpointOverride, namePrefix, secretNames, interval, iterations,
                credentialsProvider);
    }

    public SecretsManagerSettings withIterations(int scramIterations) {
        return new SecretsManagerSettings(region, endpointOverride, namePrefix, secretNames, refreshInterval,
                scramIterations, credentialsProvider);
    }

    public SecretsManagerSettings withCredentialsProvider(AwsCredentialsProvider provider) {
        return new SecretsManagerSettings(region, endpointOverride, namePrefix, secretNames, refreshInterval,
                iterations, provider);
    }

    /** True when exact secret names are configured rather than a prefix. */
    public boolean explicitNames() {
        return !secretNames.isEmpty();
    }

    /** {@code secretsmanager:AmazonMSK_*}, or {@code secretsmanager:} and the configured names. */
    public String describe() {
        return "secretsmanager:" + (explicitNames() ? String.join(",", secretNames) : namePrefix + "*");
    }

    @Override
    public String toString() {
        return "SecretsManagerSettings[region=" + region + ", endpointOverride=" + endpointOverride + ", source="
                + describe() + ", refreshInterval=" + refreshInterval + ", iterations=" + iterations
                + ", credentials=" + (credentialsProvider == null ? "default chain"
                : credentialsProvider.getClass().getSimpleName()) + "]";
    }

    private static void checkName(String what, String value) {
        Objects.requireNonNull(value, what);
        if (!SECRET_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be 1-512 of A-Z a-z 0-9 / _ + = . @ -: '" + value + "'");
        }
    }
}
