package io.warden.authn.store;

import io.warden.policies.LogCapture;

import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretsManagerStoreTest {

    private static final String ALICE_PW = "pw-alice-Q7z1";
    private static final String BOB_PW = "pw-bob-M3x8";
    private static final String CAROL_PW = "pw-carol-K2v5";

    private final Set<String> secretValues = new HashSet<>();
    private final List<SecretsManagerStore> stores = new ArrayList<>();
    private FakeSecretsManager fake;
    private LogCapture logs;

    @BeforeEach
    void setUp() {
        logs = LogCapture.attach("io.warden", "software.amazon.awssdk");
        fake = new FakeSecretsManager(2);
        secretValues.add(FakeSecretsManager.SECRET_KEY);
        putUser("AmazonMSK_alice", "alice", ALICE_PW);
        putUser("AmazonMSK_bob", "bob", BOB_PW);
        putUser("AmazonMSK_carol", "carol", CAROL_PW);
        putUser("team/dave", "dave", "pw-dave-not-msk");
    }

    @AfterEach
    void tearDown() {
        stores.forEach(SecretsManagerStore::close);
        fake.close();
        logs.close();
        assertThat(fake.signatureFailures()).as("requests with a bad SigV4 signature").isEmpty();
        String logged = logs.text();
        for (String value : secretValues) {
            assertThat(logged).as("log output").doesNotContain(value);
        }
    }

    @Test
    void initialLoadReadsOnlyPrefixedSecretsAcrossPages() {
        SecretsManagerStore store = store(settings());
        store.refreshNow().join();

        assertThat(store.users()).containsExactlyInAnyOrder("alice", "bob", "carol");
        assertThat(store.credential("dave", ScramMechanism.SCRAM_SHA_512)).isEmpty();
        assertThat(fake.requests("ListSecrets")).as("3 matching secrets, 2 per page").isEqualTo(2);
        assertThat(fake.requests("GetSecretValue")).isEqualTo(3);
        assertThat(store.describe()).isEqualTo("secretsmanager:AmazonMSK_*");
        assertThat(store.refreshes()).isEqualTo(1);
        assertThat(store.refreshFailures()).isZero();
        assertThat(store.skippedSecrets()).isZero();
        assertThat(store.lastSuccessfulRefresh()).isNotNull();
        assertThat(logs.linesContaining("event=secrets_refreshed")).singleElement().asString()
                .contains("users=3", "fetched=3");
    }

    @Test
    void derivedCredentialsVerifyTheRightPasswordOnly() {
        SecretsManagerStore store = store(settings());
        store.refreshNow().join();

        for (ScramMechanism mechanism : ScramMechanism.values()) {
            ScramCredential alice = store.credential("alice", mechanism).orElseThrow();
            assertThat(alice.iterations()).isEqualTo(4096);
            assertThat(verifies(alice, mechanism, ALICE_PW)).as(mechanism.mechanismName()).isTrue();
            assertThat(verifies(alice, mechanism, BOB_PW)).isFalse();
            assertThat(verifies(alice, mechanism, ALICE_PW + "x")).isFalse();
        }
        assertThat(store.credential("mallory", ScramMechanism.SCRAM_SHA_256)).isEmpty();
        assertThat(store.credential(null, ScramMechanism.SCRAM_SHA_256)).isEmpty();
    }

    @Test
    void configuredIterationsAreUsed() {
        SecretsManagerStore store = store(settings().withIterations(8192));
        store.refreshNow().join();

        ScramCredential bob = store.credential("bob", ScramMechanism.SCRAM_SHA_512).orElseThrow();
        assertThat(bob.iterations()).isEqualTo(8192);
        assertThat(verifies(bob, ScramMechanism.SCRAM_SHA_512, BOB_PW)).isTrue();
    }

    @Test
    void rotationIsPickedUpAndUnchangedSecretsAreNotFetchedAgain() {
        SecretsManagerStore store = store(settings());
        store.refreshNow().join();
        ScramCredential bobBefore = store.credential("bob", ScramMechanism.SCRAM_SHA_512).orElseThrow();

        store.refreshNow().join();
        assertThat(fake.requests("GetSecretValue")).as("nothing changed").isEqualTo(3);

        putUser("AmazonMSK_alice", "alice", "pw-alice-rotated-W4");
        store.refreshNow().join();

        assertThat(fake.requests("GetSecretValue")).as("only the rotated secret").isEqualTo(4);
        ScramCredential alice = store.credential("alice", ScramMechanism.SCRAM_SHA_512).orElseThrow();
        assertThat(verifies(alice, ScramMechanism.SCRAM_SHA_512, "pw-alice-rotated-W4")).isTrue();
        assertThat(verifies(alice, ScramMechanism.SCRAM_SHA_512, ALICE_PW)).isFalse();
        assertThat(store.credential("bob", ScramMechanism.SCRAM_SHA_512)).containsSame(bobBefore);
        assertThat(logs.linesContaining("event=scram_user_updated")).singleElement().asString()
                .contains("user=\"alice\"", "secret=AmazonMSK_alice");
    }

    @Test
    void outageKeepsTheLastGoodCredentials() {
        SecretsManagerStore store = store(settings());
        store.refreshNow().join();
        Instant lastGood = store.lastSuccessfulRefresh();

        fake.down();
        assertThatThrownBy(() -> store.refreshNow().join()).isInstanceOf(CompletionException.class);

        assertThat(store.refreshFailures()).isEqualTo(1);
        assertThat(store.refreshes()).isEqualTo(2);
        assertThat(store.lastSuccessfulRefresh()).isEqualTo(lastGood);
        assertThat(store.users()).containsExactlyInAnyOrder("alice", "bob", "carol");
        assertThat(verifies(store.credential("alice", ScramMechanism.SCRAM_SHA_256).orElseThrow(),
                ScramMechanism.SCRAM_SHA_256, ALICE_PW)).isTrue();
        assertThat(logs.linesContaining("event=secrets_refresh_failed")).singleElement().asString()
                .contains("store=secretsmanager:AmazonMSK_*", "ConnectException", "users_kept=3");

        fake.up();
        putUser("AmazonMSK_alice", "alice", "pw-alice-after-outage");
        store.refreshNow().join();
        assertThat(verifies(store.credential("alice", ScramMechanism.SCRAM_SHA_256).orElseThrow(),
                ScramMechanism.SCRAM_SHA_256, "pw-alice-after-outage")).isTrue();
        assertThat(store.lastSuccessfulRefresh()).isAfter(lastGood);
    }

    @Test
    void accessDeniedKeepsTheLastGoodCredentials() {
        SecretsManagerStore store = store(settings());
        store.refreshNow().join();

        fake.accessDenied(true);
        putUser("AmazonMSK_alice", "alice", "pw-alice-unseen-R9");
        deleteSecret("AmazonMSK_bob");
        assertThatThrownBy(() -> store.refreshNow().join()).cause()
                .isInstanceOfSatisfying(AwsServiceException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException"));

        assertThat(store.refreshFailures()).isEqualTo(1);
        assertThat(store.users()).containsExactlyInAnyOrder("alice", "bob", "carol");
        assertThat(verifies(store.credential("alice", ScramMechanism.SCRAM_SHA_512).orElseThrow(),
                ScramMechanism.SCRAM_SHA_512, ALICE_PW)).isTrue();
        assertThat(logs.linesContaining("event=secrets_refresh_failed")).singleElement().asString()
                .contains("reason=\"AccessDeniedException (HTTP 400)");

        fake.accessDenied(false);
        store.refreshNow().join();
        assertThat(store.users()).containsExactlyInAnyOrder("alice", "carol");
    }

    @Test
    void throttledRequestsAreRetriedBySdk() {
        SecretsManagerStore store = store(settings());
        fake.throttleNext(2);

        store.refreshNow().join();

        assertThat(store.users()).containsExactlyInAnyOrder("alice", "bob", "carol");
        assertThat(store.refreshFailures()).isZero();
        assertThat(fake.requests("ListSecrets")).as("2 throttled attempts, then 2 pages").isEqualTo(4);
    }

    @Test
    void throttlingBeyondTheRetriesFailsTheRefreshOnly() {
        SecretsManagerStore store = store(settings());
        store.refreshNow().join();
        int listsBefore = fake.requests("ListSecrets");

        fake.throttleNext(10);
        assertThatThrownBy(() -> store.refreshNow().join()).cause()
                .isInstanceOfSatisfying(AwsServiceException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException"));

        assertThat(fake.requests("ListSecrets") - listsBefore).as("the SDK's standard 3 attempts").isEqualTo(3);
        assertThat(store.refreshFailures()).isEqualTo(1);
        assertThat(store.users()).containsExactlyInAnyOrder("alice", "bob", "carol");
        assertThat(logs.linesContaining("event=secrets_refresh_failed")).singleElement().asString()
                .contains("ThrottlingException");
    }

    /** Ways a secret can fail to be a SCRAM user. */
    enum Malformed {
        NOT_JSON, NOT_AN_OBJECT, NO_PASSWORD, NO_USERNAME, EMPTY_PASSWORD, BLANK_USERNAME, NUMBER_PASSWORD, BINARY,
        DUPLICATE_USERNAME
    }

    @ParameterizedTest
    @EnumSource(Malformed.class)
    void malformedSecretIsSkippedAndOthersAreServed(Malformed kind) {
        String name = "AmazonMSK_zz_broken";
        String leak = "pw-leak-" + kind.name().toLowerCase();
        secretValues.add(leak);
        switch (kind) {
            case NOT_JSON -> fake.putSecret(name, "mallory:" + leak);
            case NOT_AN_OBJECT -> fake.putSecret(name, "[\"" + leak + "\"]");
            case NO_PASSWORD -> fake.putSecret(name, "{\"username\":\"mallory\",\"pass\":\"" + leak + "\"}");
            case NO_USERNAME -> fake.putSecret(name, "{\"password\":\"" + leak + "\"}");
            case EMPTY_PASSWORD -> fake.putSecret(name, "{\"username\":\"mallory\",\"password\":\"\"}");
            case BLANK_USERNAME -> fake.putSecret(name, "{\"username\":\" \",\"password\":\"" + leak + "\"}");
            case NUMBER_PASSWORD -> fake.putSecret(name, "{\"username\":\"mallory\",\"password\":918273645}");
            case BINARY -> fake.putBinarySecret(name, ("{\"username\":\"mallory\",\"password\":\"" + leak + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
            case DUPLICATE_USERNAME -> putUser(name, "alice", leak);
        }
        if (kind == Malformed.NUMBER_PASSWORD) {
            secretValues.add("918273645");
        }
        SecretsManagerStore store = store(settings());

        store.refreshNow().join();
        store.refreshNow().join();

        assertThat(store.users()).containsExactlyInAnyOrder("alice", "bob", "carol");
        assertThat(store.skippedSecrets()).isEqualTo(1);
        assertThat(verifies(store.credential("alice", ScramMechanism.SCRAM_SHA_256).orElseThrow(),
                ScramMechanism.SCRAM_SHA_256, ALICE_PW)).isTrue();
        assertThat(logs.linesContaining("event=secret_skipped")).as("one line, not one per refresh")
                .singleElement().asString().contains("secret=" + name, "reason=");

        putUser(name, "mallory", "pw-mallory-fixed-T6");
        store.refreshNow().join();

        assertThat(store.users()).containsExactlyInAnyOrder("alice", "bob", "carol", "mallory");
        assertThat(store.skippedSecrets()).isZero();
        assertThat(verifies(store.credential("mallory", ScramMechanism.SCRAM_SHA_512).orElseThrow(),
                ScramMechanism.SCRAM_SHA_512, "pw-mallory-fixed-T6")).isTrue();
    }

    @Test
    void newSecretCannotTakeOverAnExistingUser() {
        SecretsManagerStore store = store(settings());
        store.refreshNow().join();

        putUser("AmazonMSK_0_alice", "alice", "pw-takeover-Z8");
        store.refreshNow().join();

        ScramCredential alice = store.credential("alice", ScramMechanism.SCRAM_SHA_512).orElseThrow();
        assertThat(verifies(alice, ScramMechanism.SCRAM_SHA_512, ALICE_PW)).isTrue();
        assertThat(verifies(alice, ScramMechanism.SCRAM_SHA_512, "pw-takeover-Z8")).isFalse();
        assertThat(store.skippedSecrets()).isEqualTo(1);
        assertThat(logs.linesContaining("event=secret_skipped")).singleElement().asString()
                .contains("secret=AmazonMSK_0_alice", "already provided by secret AmazonMSK_alice");

        deleteSecret("AmazonMSK_alice");
        store.refreshNow().join();
        assertThat(verifies(store.credential("alice", ScramMechanism.SCRAM_SHA_512).orElseThrow(),
                ScramMechanism.SCRAM_SHA_512, "pw-takeover-Z8")).as("the remaining secret now provides alice")
                .isTrue();
        assertThat(store.skippedSecrets()).isZero();
    }

    /**
     * Every gateway of a fleet, whenever it started, must choose the same secret for a user two secrets name: the one
     * created first, then the name that sorts first. A fresh store must not give alice to a secret created later
     * whose name sorts first.
     */
    @Test
    void theOldestSecretProvidesAUserNamedTwiceEvenOnAFreshStore() {
        putUser("AmazonMSK_0_alice", "alice", "pw-takeover-Z8");
        SecretsManagerStore store = store(settings());
        store.refreshNow().join();

        assertThat(verifies(store.credential("alice", ScramMechanism.SCRAM_SHA_512).orElseThrow(),
                ScramMechanism.SCRAM_SHA_512, ALICE_PW)).as("the secret created first").isTrue();
        assertThat(logs.linesContaining("event=secret_skipped")).singleElement().asString()
                .contains("secret=AmazonMSK_0_alice", "already provided by secret AmazonMSK_alice, created earlier");

        Instant sameTime = Instant.parse("2025-01-01T00:00:00Z");
        fake.createdDate("AmazonMSK_alice", sameTime);
        fake.createdDate("AmazonMSK_0_alice", sameTime);
        SecretsManagerStore restarted = store(settings());
        restarted.refreshNow().join();
        assertThat(verifies(restarted.credential("alice", ScramMechanism.SCRAM_SHA_512).orElseThrow(),
                ScramMechanism.SCRAM_SHA_512, "pw-takeover-Z8")).as("created together: the name that sorts first").isTrue();
        assertThat(logs.linesContaining("already provided by secret AmazonMSK_0_alice, created at the same time")).hasSize(1);
    }

    /** Amazon MSK refuses secrets under the AWS managed key; so does the store, checking the key on every refresh. */
    @Test
    void secretsUnderTheAwsManagedKeyAreSkipped() {
        fake.kmsKey("AmazonMSK_bob", null);
        SecretsManagerStore store = store(settings());
        store.refreshNow().join();

        assertThat(store.users()).containsExactlyInAnyOrder("alice", "carol");
        assertThat(store.skippedSecrets()).isEqualTo(1);
        assertThat(logs.linesContaining("event=secret_skipped")).singleElement().asString()
                .contains("secret=AmazonMSK_bob", "encrypted with the AWS managed key aws/secretsmanager",
                        "customer managed KMS key");

        fake.kmsKey("AmazonMSK_bob", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab");
        store.refreshNow().join();
        assertThat(store.users()).as("re-encrypted with a customer managed key").containsExactlyInAnyOrder("alice", "bob", "carol");

        fake.kmsKey("AmazonMSK_alice", null);
        store.refreshNow().join();
        assertThat(store.users()).as("the key changed without a new version").containsExactlyInAnyOrder("bob", "carol");
    }

    @Test
    void deletedSecretRemovesItsUser() {
        SecretsManagerStore store = store(settings());
        store.refreshNow().join();

        deleteSecret("AmazonMSK_bob");
        store.refreshNow().join();

        assertThat(store.users()).containsExactlyInAnyOrder("alice", "carol");
        assertThat(store.credential("bob", ScramMechanism.SCRAM_SHA_256)).isEmpty();
        assertThat(logs.linesContaining("event=scram_user_removed")).singleElement().asString()
                .contains("user=\"bob\"", "secret=AmazonMSK_bob");
    }

    @Test
    void unreadableSecretIsSkippedAndTriedAgain() {
        fake.denyRead("AmazonMSK_carol", true);
        SecretsManagerStore store = store(settings());

        store.refreshNow().join();
        assertThat(store.users()).containsExactlyInAnyOrder("alice", "bob");
        assertThat(store.skippedSecrets()).isEqualTo(1);
        assertThat(logs.linesContaining("event=secret_skipped")).singleElement().asString()
                .contains("secret=AmazonMSK_carol", "AccessDeniedException");

        fake.denyRead("AmazonMSK_carol", false);
        store.refreshNow().join();
        assertThat(store.users()).containsExactlyInAnyOrder("alice", "bob", "carol");
        assertThat(store.skippedSecrets()).isZero();
    }

    @Test
    void explicitSecretNamesReplaceThePrefix() {
        putUser("AmazonMSK_alice2", "alice2", "pw-alice2-P0");
        SecretsManagerStore store = store(settings()
                .withSecretNames(List.of("AmazonMSK_alice", "team/dave", "AmazonMSK_missing")));

        store.refreshNow().join();

        assertThat(store.users()).containsExactlyInAnyOrder("alice", "dave");
        assertThat(store.skippedSecrets()).as("the missing one").isEqualTo(1);
        assertThat(store.describe()).isEqualTo("secretsmanager:AmazonMSK_alice,team/dave,AmazonMSK_missing");
        assertThat(verifies(store.credential("dave", ScramMechanism.SCRAM_SHA_256).orElseThrow(),
                ScramMechanism.SCRAM_SHA_256, "pw-dave-not-msk")).isTrue();
        assertThat(logs.linesContaining("event=secret_skipped")).singleElement().asString()
                .contains("secret=AmazonMSK_missing", "not found");
    }

    @Test
    void customPrefix() {
        SecretsManagerStore store = store(settings().withNamePrefix("team/"));
        store.refreshNow().join();

        assertThat(store.users()).containsExactly("dave");
        assertThat(store.describe()).isEqualTo("secretsmanager:team/*");
    }

    @Test
    void startLoadsThenRefreshesOnTheStoreThreadOnly() throws InterruptedException {
        Set<String> callingThreads = new CopyOnWriteArraySet<>();
        AwsCredentials keys = FakeSecretsManager.credentials().resolveCredentials();
        AwsCredentialsProvider recording = () -> {
            callingThreads.add(Thread.currentThread().getName());
            return keys;
        };
        SecretsManagerStore store = store(settings().withCredentialsProvider(recording)
                .withRefreshInterval(Duration.ofSeconds(1)));

        store.start().join();
        assertThat(store.users()).containsExactlyInAnyOrder("alice", "bob", "carol");
        assertThatThrownBy(store::start).isInstanceOf(IllegalStateException.class);

        putUser("AmazonMSK_erin", "erin", "pw-erin-S5");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!store.users().contains("erin") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(store.users()).contains("erin");
        assertThat(store.refreshes()).isGreaterThanOrEqualTo(2);
        assertThat(callingThreads).containsExactly(SecretsManagerStore.THREAD_NAME);
    }

    @Test
    void closedStoreStopsRefreshingAndKeepsAnswering() {
        SecretsManagerStore store = store(settings());
        store.refreshNow().join();

        store.close();

        assertThatThrownBy(() -> store.refreshNow().join()).cause().isInstanceOf(IllegalStateException.class);
        assertThat(store.users()).containsExactlyInAnyOrder("alice", "bob", "carol");
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals(
                SecretsManagerStore.THREAD_NAME) && t.isAlive());
    }

    @Test
    void readSecretReturnsOneUsernameAndPassword() {
        UsernamePassword byName = SecretsManagerStore.readSecret(settings(), "AmazonMSK_bob");
        UsernamePassword byArn = SecretsManagerStore.readSecret(settings(), fake.arn("AmazonMSK_bob"));

        assertThat(byName).isEqualTo(new UsernamePassword("bob", BOB_PW)).isEqualTo(byArn);
        assertThat(byName.toString()).contains("bob").doesNotContain(BOB_PW);

        secretValues.add("pw-read-broken-V1");
        fake.putSecret("gateway/upstream", "{\"username\":\"gw\",\"pass\":\"pw-read-broken-V1\"}");
        assertThatThrownBy(() -> SecretsManagerStore.readSecret(settings(), "gateway/upstream"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gateway/upstream")
                .hasMessageContaining("\"password\" is missing")
                .hasMessageNotContaining("pw-read-broken-V1");
    }

    @Test
    void settingsAreCheckedAndDescribeNoSecrets() {
        SecretsManagerSettings settings = settings();
        assertThat(settings.namePrefix()).isEqualTo("AmazonMSK_");
        assertThat(settings.refreshInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings.iterations()).isEqualTo(4096);
        assertThat(settings.toString()).doesNotContain(FakeSecretsManager.SECRET_KEY);
        assertThat(store(settings).toString()).doesNotContain(ALICE_PW);

        assertThatThrownBy(() -> settings.withIterations(4095)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> settings.withIterations(16385)).isInstanceOf(IllegalArgumentException.class);
        assertThat(settings.withIterations(16384).iterations()).isEqualTo(16384);
        assertThatThrownBy(() -> settings.withNamePrefix("!AmazonMSK_")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> settings.withNamePrefix("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> settings.withSecretNames(List.of("a", "a")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> settings.withRefreshInterval(Duration.ofMillis(500)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> settings.withEndpointOverride(URI.create("ftp://127.0.0.1")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SecretsManagerSettings.of(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void standInRejectsABadSignature() {
        SecretsManagerStore store = store(settings().withCredentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(FakeSecretsManager.ACCESS_KEY, "not-the-secret-key"))));

        assertThatThrownBy(() -> store.refreshNow().join()).cause()
                .isInstanceOfSatisfying(AwsServiceException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException"));

        assertThat(fake.signatureFailures()).singleElement().asString().contains("ListSecrets", "signature mismatch");
        assertThat(store.users()).isEmpty();
        assertThat(store.lastSuccessfulRefresh()).isNull();
        fake.clearSignatureFailures();
    }

    @Test
    void sigV4VerifierMatchesAwsPublishedExample() {
        SigV4Verifier verifier = new SigV4Verifier("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                "us-east-1", "iam");
        String signature = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        Map<String, List<String>> headers = Map.of(
                "Content-Type", List.of("application/x-www-form-urlencoded; charset=utf-8"),
                "Host", List.of("iam.amazonaws.com"),
                "X-Amz-Date", List.of("20150830T123600Z"),
                "Authorization", List.of("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
                        + "aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" + signature));
        Instant signedAt = Instant.parse("2015-08-30T12:36:00Z");

        assertThat(verifier.verify("GET", "/", "Action=ListUsers&Version=2010-05-08", headers, new byte[0],
                signedAt)).isNull();
        assertThat(verifier.verify("GET", "/", "Action=ListUsers&Version=2010-05-09", headers, new byte[0],
                signedAt)).isEqualTo("signature mismatch");
        assertThat(verifier.verify("GET", "/", "Action=ListUsers&Version=2010-05-08", headers, new byte[0],
                signedAt.plus(Duration.ofHours(1)))).contains("too far from now");
    }

    private SecretsManagerSettings settings() {
        return SecretsManagerSettings.of(FakeSecretsManager.REGION)
                .withEndpointOverride(fake.endpoint())
                .withCredentialsProvider(FakeSecretsManager.credentials());
    }

    private SecretsManagerStore store(SecretsManagerSettings settings) {
        SecretsManagerStore store = new SecretsManagerStore(settings);
        stores.add(store);
        return store;
    }

    private void putUser(String secretName, String username, String password) {
        secretValues.add(password);
        fake.putSecret(secretName, "{\"username\": \"" + username + "\", \"password\": \"" + password + "\"}");
    }

    private void deleteSecret(String secretName) {
        fake.deleteSecret(secretName);
    }

    /** Whether {@code password} yields the credential's StoredKey and ServerKey, as a SCRAM exchange would check. */
    private static boolean verifies(ScramCredential credential, ScramMechanism mechanism, String password) {
        try {
            ScramFormatter formatter = new ScramFormatter(mechanism);
            byte[] salted = formatter.saltedPassword(password, credential.salt(), credential.iterations());
            return MessageDigest.isEqual(formatter.storedKey(formatter.clientKey(salted)), credential.storedKey())
                    && MessageDigest.isEqual(formatter.serverKey(salted), credential.serverKey());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
