package io.warden.authn.store;

import io.warden.authn.PlainServerExchange;
import io.warden.authn.scram.FakeCredentials;
import io.warden.authn.scram.ScramClient;
import io.warden.authn.scram.ScramServerExchange;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalUserStoreTest {

    private static final ScramMechanism SHA_256 = ScramMechanism.SCRAM_SHA_256;
    private static final ScramMechanism SHA_512 = ScramMechanism.SCRAM_SHA_512;
    private static final String PASSWORD = "Tr0ub4dor&3-unique-marker";

    @TempDir
    Path dir;

    @Test
    void addListRemoveRoundTrip() throws Exception {
        Path file = dir.resolve("users.txt");
        LocalUserStore store = LocalUserStore.loadOrEmpty(file);
        assertThat(store.users()).isEmpty();

        assertThat(store.addUser("alice", PASSWORD.toCharArray(), List.of(SHA_256, SHA_512), 8192)).isTrue();
        assertThat(store.addUser("bob", "other".toCharArray(), List.of(SHA_512), 4096)).isTrue();
        assertThat(store.users()).containsExactly("alice", "bob");

        LocalUserStore reread = LocalUserStore.load(file);
        assertThat(reread.users()).containsExactly("alice", "bob");
        assertThat(reread.mechanisms("alice")).containsExactlyInAnyOrder(SHA_256, SHA_512);
        assertThat(reread.mechanisms("bob")).containsExactly(SHA_512);
        assertThat(reread.credential("alice", SHA_512).orElseThrow().iterations()).isEqualTo(8192);
        assertThat(reread.credential("bob", SHA_256)).isEmpty();
        assertThat(reread.describe()).isEqualTo("file:" + file);

        assertThat(reread.removeUser("alice")).isTrue();
        assertThat(reread.removeUser("alice")).isFalse();
        assertThat(LocalUserStore.load(file).users()).containsExactly("bob");
    }

    @Test
    void storedCredentialsAuthenticateWithScramAndPlain() throws Exception {
        LocalUserStore store = LocalUserStore.loadOrEmpty(dir.resolve("users.txt"));
        store.addUser("alice", PASSWORD.toCharArray(), List.of(SHA_256, SHA_512), 4096);
        FakeCredentials fakes = new FakeCredentials(4096);

        for (ScramMechanism mechanism : ScramMechanism.values()) {
            ScramServerExchange server = new ScramServerExchange(mechanism, store, fakes, false);
            ScramClient client = new ScramClient(mechanism, "alice", PASSWORD.toCharArray(), new ScramClient.Cache(0));
            client.verifyServerFinal(server.evaluate(client.finalMessage(server.evaluate(client.firstMessage()))));
            assertThat(server.principal()).isEqualTo("User:alice");
        }
        PlainServerExchange plain = new PlainServerExchange(store, fakes);
        plain.evaluate(("\u0000alice\u0000" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertThat(plain.principal()).isEqualTo("User:alice");
    }

    @Test
    void addReplacesEveryCredentialOfAnExistingUser() throws Exception {
        Path file = dir.resolve("users.txt");
        LocalUserStore store = LocalUserStore.loadOrEmpty(file);
        store.addUser("alice", "old".toCharArray(), List.of(SHA_256, SHA_512), 4096);
        ScramCredential before = store.credential("alice", SHA_512).orElseThrow();

        assertThat(store.addUser("alice", "new".toCharArray(), List.of(SHA_512), 4096)).isFalse();
        assertThat(store.mechanisms("alice")).containsExactly(SHA_512);
        assertThat(store.credential("alice", SHA_512).orElseThrow().storedKey()).isNotEqualTo(before.storedKey());
        assertThat(Files.readAllLines(file).stream().filter(l -> l.startsWith("alice "))).hasSize(1);
    }

    @Test
    void fileHoldsNoPasswordAndIsOwnerOnly() throws Exception {
        Path file = dir.resolve("users.txt");
        LocalUserStore store = LocalUserStore.loadOrEmpty(file);
        store.addUser("alice", PASSWORD.toCharArray(), List.of(SHA_256, SHA_512), 4096);
        store.removeUser("nobody");
        store.addUser("bob", PASSWORD.toCharArray(), List.of(SHA_256), 4096);

        String content = Files.readString(file);
        assertThat(content).doesNotContain(PASSWORD).doesNotContain("Tr0ub4dor").contains("alice SCRAM-SHA-512 salt=");
        assertThat(content).containsPattern("(?m)^alice SCRAM-SHA-256 salt=[A-Za-z0-9+/=]+,stored_key=[A-Za-z0-9+/=]+,"
                + "server_key=[A-Za-z0-9+/=]+,iterations=4096$");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void commentsAndBlankLinesSurviveEdits() throws Exception {
        Path file = dir.resolve("users.txt");
        LocalUserStore.loadOrEmpty(file).addUser("alice", PASSWORD.toCharArray(), List.of(SHA_512), 4096);
        Files.writeString(file, "# team A\n\n" + Files.readString(file) + "# end\n");

        LocalUserStore store = LocalUserStore.load(file);
        store.addUser("bob", PASSWORD.toCharArray(), List.of(SHA_512), 4096);
        store.removeUser("alice");

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).contains("# team A", "", "# end");
        assertThat(lines).noneMatch(l -> l.startsWith("alice "));
        assertThat(lines).anyMatch(l -> l.startsWith("bob SCRAM-SHA-512 "));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "alice SCRAM-SHA-512                                   | 3 fields",
        "alice SCRAM-SHA-1 {CRED}                              | unknown mechanism 'SCRAM-SHA-1'",
        "alice SCRAM-SHA-512 password=hunter2                  | never passwords",
        "alice SCRAM-SHA-512 hunter2                           | name=value",
        "alice SCRAM-SHA-512 {CRED},extra=1                    | unknown credential attribute 'extra'",
        "alice SCRAM-SHA-512 {NOSALT}                          | has no salt",
        "alice SCRAM-SHA-512 {CRED},salt=AAAA                  | salt is given twice",
        "alice SCRAM-SHA-512 {BADB64}                          | stored_key is not valid base64",
        "alice SCRAM-SHA-512 {SHORT}                           | stored_key has the wrong size",
        "alice SCRAM-SHA-512 {ITER100}                         | iterations=100 is outside 4096..16384",
        "alice SCRAM-SHA-512 {ITERX}                           | iterations is not a number",
        "alice SCRAM-SHA-512 {CRED} trailing                   | 3 fields"
    })
    void badLineNamesFileLineAndProblem(String badLine, String problem) throws Exception {
        Path file = dir.resolve("users.txt");
        LocalUserStore.loadOrEmpty(file).addUser("bob", PASSWORD.toCharArray(), List.of(SHA_512), 4096);
        String credential = Files.readAllLines(file).get(2).split(" ")[2];
        String line = badLine.strip()
                .replace("{NOSALT}", credential.replaceFirst("salt=[^,]*,", ""))
                .replace("{BADB64}", credential.replaceFirst("stored_key=[^,]*", "stored_key=%%%"))
                .replace("{SHORT}", credential.replaceFirst("stored_key=[^,]*", "stored_key=AAAA"))
                .replace("{ITER100}", credential.replace("iterations=4096", "iterations=100"))
                .replace("{ITERX}", credential.replace("iterations=4096", "iterations=many"))
                .replace("{CRED}", credential);
        Files.writeString(file, Files.readString(file) + "# a comment\n" + line + "\n");

        assertThatThrownBy(() -> LocalUserStore.load(file))
                .isInstanceOf(UserFileException.class)
                .hasMessageStartingWith(file + ":5: ")
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain(credential.substring(5, 20)));
    }

    @Test
    void duplicateCredentialNamesBothLines() throws Exception {
        Path file = dir.resolve("users.txt");
        LocalUserStore.loadOrEmpty(file).addUser("bob", PASSWORD.toCharArray(), List.of(SHA_512), 4096);
        String line = Files.readAllLines(file).get(2);
        Files.writeString(file, Files.readString(file) + line + "\n");

        assertThatThrownBy(() -> LocalUserStore.load(file))
                .isInstanceOf(UserFileException.class)
                .hasMessage(file + ":4: user 'bob' has a second SCRAM-SHA-512 credential (the first is on line 3)");
    }

    @Test
    void missingFileIsAnError() {
        Path file = dir.resolve("absent.txt");
        assertThatThrownBy(() -> LocalUserStore.load(file)).isInstanceOf(UserFileException.class)
                .hasMessage(file + ": no such file");
        assertThat(LocalUserStore.loadOrEmpty(file).users()).isEmpty();
        assertThat(Files.exists(file)).isFalse();
    }

    @Test
    void reloadPicksUpChangesAndKeepsLastGoodOnBrokenFile() throws Exception {
        Path file = dir.resolve("users.txt");
        LocalUserStore.loadOrEmpty(file).addUser("alice", PASSWORD.toCharArray(), List.of(SHA_512), 4096);
        LocalUserStore store = LocalUserStore.load(file);
        assertThat(store.reloadIfChanged()).isFalse();

        LocalUserStore.load(file).addUser("bob", PASSWORD.toCharArray(), List.of(SHA_512), 4096);
        assertThat(store.reloadIfChanged()).isTrue();
        assertThat(store.users()).containsExactly("alice", "bob");
        assertThat(store.reloadIfChanged()).isFalse();

        String good = Files.readString(file);
        Files.writeString(file, good + "carol SCRAM-SHA-512 broken\n");
        assertThat(store.reloadIfChanged()).isFalse();
        assertThat(store.users()).containsExactly("alice", "bob");
        assertThat(store.credential("bob", SHA_512)).isPresent();

        Files.delete(file);
        assertThat(store.reloadIfChanged()).isFalse();
        assertThat(store.users()).containsExactly("alice", "bob");

        Files.writeString(file, good.replaceAll("(?m)^alice .*\\n", ""));
        assertThat(store.reloadIfChanged()).isTrue();
        assertThat(store.users()).containsExactly("bob");
    }

    @Test
    void reloadNoticesASameSizeEditByItsModificationTime() throws Exception {
        Path file = dir.resolve("users.txt");
        LocalUserStore.loadOrEmpty(file).addUser("alice", PASSWORD.toCharArray(), List.of(SHA_512), 4096);
        LocalUserStore store = LocalUserStore.load(file);
        FileTime before = Files.getLastModifiedTime(file);

        Files.writeString(file, Files.readString(file).replace("alice ", "alicf "));
        Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 2000));

        assertThat(store.reloadIfChanged()).isTrue();
        assertThat(store.users()).containsExactly("alicf");
    }

    @Test
    void editsRefuseABrokenFile() throws Exception {
        Path file = dir.resolve("users.txt");
        LocalUserStore store = LocalUserStore.loadOrEmpty(file);
        store.addUser("alice", PASSWORD.toCharArray(), List.of(SHA_512), 4096);
        String broken = Files.readString(file) + "bob SCRAM-SHA-512 nonsense\n";
        Files.writeString(file, broken);

        assertThatThrownBy(() -> store.addUser("carol", PASSWORD.toCharArray(), List.of(SHA_512), 4096))
                .isInstanceOf(UserFileException.class).hasMessageStartingWith(file + ":4: ");
        assertThatThrownBy(() -> store.removeUser("alice")).isInstanceOf(UserFileException.class);
        assertThat(Files.readString(file)).isEqualTo(broken);
        assertThat(store.users()).containsExactly("alice");
    }

    @Test
    void invalidArgumentsAreRefused() {
        LocalUserStore store = LocalUserStore.loadOrEmpty(dir.resolve("users.txt"));
        assertThatThrownBy(() -> store.addUser("alice", PASSWORD.toCharArray(), List.of(SHA_512), 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("iterations=100");
        assertThatThrownBy(() -> store.addUser("alice", PASSWORD.toCharArray(), List.of(SHA_512), 16385))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.addUser("al ice", PASSWORD.toCharArray(), List.of(SHA_512), 4096))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("printable ASCII");
        assertThatThrownBy(() -> store.addUser("#alice", PASSWORD.toCharArray(), List.of(SHA_512), 4096))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.addUser("alice", new char[0], List.of(SHA_512), 4096))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> store.addUser("alice", PASSWORD.toCharArray(), Set.of(), 4096))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Files.exists(dir.resolve("users.txt"))).isFalse();
    }

    @Test
    void lookupsReturnCopies() throws Exception {
        LocalUserStore store = LocalUserStore.loadOrEmpty(dir.resolve("users.txt"));
        store.addUser("alice", PASSWORD.toCharArray(), List.of(SHA_512), 4096);
        ScramCredential first = store.credential("alice", SHA_512).orElseThrow();
        byte[] storedKey = first.storedKey().clone();
        Arrays.fill(first.storedKey(), (byte) 0);

        assertThat(store.credential("alice", SHA_512).orElseThrow().storedKey()).isEqualTo(storedKey);
    }
}
