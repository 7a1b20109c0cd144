package io.warden.authn;

import io.warden.authn.store.LocalUserStore;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UsersCommandTest {

    private static final String PASSWORD = "s3cr3t-marker-\u00e9";

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void addListRemoveRoundTrip() throws Exception {
        Path file = dir.resolve("users.txt");

        assertThat(run(PASSWORD + "\n", "add", "--file", file.toString(), "--name", "alice")).isZero();
        assertThat(out()).isEqualTo("added user alice (SCRAM-SHA-256,SCRAM-SHA-512, 8192 iterations) in " + file + "\n");
        assertThat(run(PASSWORD + "\r\n", "add", "--file", file.toString(), "--name", "bob",
                "--mechanisms", "SCRAM-SHA-512", "--iterations", "4096")).isZero();

        assertThat(run("", "list", "--file", file.toString())).isZero();
        assertThat(out()).isEqualTo("alice SCRAM-SHA-256,SCRAM-SHA-512\nbob SCRAM-SHA-512\n");

        LocalUserStore store = LocalUserStore.load(file);
        assertThat(store.credential("alice", ScramMechanism.SCRAM_SHA_256).orElseThrow().iterations()).isEqualTo(8192);
        assertThat(store.credential("bob", ScramMechanism.SCRAM_SHA_512).orElseThrow().iterations()).isEqualTo(4096);
        PlainServerExchange plain = new PlainServerExchange(store, new io.warden.authn.scram.FakeCredentials(4096));
        plain.evaluate(("\u0000bob\u0000" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertThat(plain.principal()).isEqualTo("User:bob");

        assertThat(run("", "remove", "--file", file.toString(), "--name", "alice")).isZero();
        assertThat(out()).isEqualTo("removed user alice from " + file + "\n");
        assertThat(run("", "list", "--file", file.toString())).isZero();
        assertThat(out()).isEqualTo("bob SCRAM-SHA-512\n");
    }

    @Test
    void addAgainReplacesTheUser() throws Exception {
        Path file = dir.resolve("users.txt");
        run("first\n", "add", "--file", file.toString(), "--name", "alice");
        assertThat(run("second\n", "add", "--file", file.toString(), "--name", "alice", "--mechanisms", "scram-sha-256")).isZero();
        assertThat(out()).startsWith("replaced user alice (SCRAM-SHA-256, 8192 iterations)");
        run("", "list", "--file", file.toString());
        assertThat(out()).isEqualTo("alice SCRAM-SHA-256\n");
    }

    @Test
    void fileIsOwnerOnlyAndHoldsNoPassword() throws Exception {
        Path file = dir.resolve("users.txt");
        assertThat(run(PASSWORD + "\n", "add", "--file", file.toString(), "--name", "alice")).isZero();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String content = Files.readString(file);
        assertThat(content).doesNotContain(PASSWORD).doesNotContain("s3cr3t");
        run("", "list", "--file", file.toString());
        assertThat(out()).doesNotContain("salt").doesNotContain("key");
    }

    @Test
    void iterationsOutOfRangeAreRefused() {
        Path file = dir.resolve("users.txt");
        assertThat(run(PASSWORD + "\n", "add", "--file", file.toString(), "--name", "alice", "--iterations", "100")).isEqualTo(2);
        assertThat(err()).isEqualTo("error: --iterations: expected a number between 4096 and 16384, got '100'\n");
        assertThat(run(PASSWORD + "\n", "add", "--file", file.toString(), "--name", "alice", "--iterations", "20000")).isEqualTo(2);
        assertThat(run(PASSWORD + "\n", "add", "--file", file.toString(), "--name", "alice", "--iterations", "lots")).isEqualTo(2);
        assertThat(Files.exists(file)).isFalse();
    }

    @Test
    void emptyOrMissingPasswordIsRefused() {
        Path file = dir.resolve("users.txt");
        assertThat(run("\n", "add", "--file", file.toString(), "--name", "alice")).isEqualTo(2);
        assertThat(err()).isEqualTo("error: an empty password is not allowed\n");
        assertThat(run("", "add", "--file", file.toString(), "--name", "alice")).isEqualTo(2);
        assertThat(err()).contains("no password on standard input");
        assertThat(run("x".repeat(5000) + "\n", "add", "--file", file.toString(), "--name", "alice")).isEqualTo(2);
        assertThat(err()).contains("longer than");
        assertThat(Files.exists(file)).isFalse();
    }

    @Test
    void usageErrorsExitWithTwoAndOneLine() {
        Path file = dir.resolve("users.txt");
        assertThat(run("")).isEqualTo(2);
        assertThat(err()).startsWith("usage: warden users");
        assertThat(run("", "rename", "--file", file.toString())).isEqualTo(2);
        assertThat(err()).startsWith("error: unknown subcommand 'rename'");
        assertThat(run("pw\n", "add", "--name", "alice")).isEqualTo(2);
        assertThat(err()).isEqualTo("error: --file is required\n");
        assertThat(run("pw\n", "add", "--file", file.toString(), "--name", "alice", "--mechanisms", "SCRAM-SHA-1")).isEqualTo(2);
        assertThat(err()).contains("unknown mechanism 'SCRAM-SHA-1'");
        assertThat(run("pw\n", "add", "--file", file.toString(), "--name", "al ice")).isEqualTo(2);
        assertThat(err()).startsWith("error: --name: ");
        assertThat(run("pw\n", "add", "--file", file.toString(), "--name", "alice", "--force", "yes")).isEqualTo(2);
        assertThat(err()).startsWith("error: unknown option --force");
        // A stray word may be a password given as an argument by mistake: its position is named, not the word.
        assertThat(run("pw\n", "add", "--file", file.toString(), "--name", "alice", "s3cret-Passw0rd")).isEqualTo(2);
        assertThat(err()).startsWith("error: unexpected argument at position 6 ").doesNotContain("s3cret-Passw0rd");
        assertThat(run("", "list", "--file")).isEqualTo(2);
        assertThat(err()).isEqualTo("error: --file needs a value\n");
        assertThat(run("", "list", "--file", file.toString())).isEqualTo(2);
        assertThat(err()).isEqualTo("error: " + file + ": no such file\n");
    }

    @Test
    void removingAnUnknownUserFails() {
        Path file = dir.resolve("users.txt");
        run(PASSWORD + "\n", "add", "--file", file.toString(), "--name", "alice");
        assertThat(run("", "remove", "--file", file.toString(), "--name", "bob")).isEqualTo(2);
        assertThat(err()).isEqualTo("error: no user 'bob' in " + file + "\n");
    }

    @Test
    void brokenFileIsReportedWithItsLine() throws Exception {
        Path file = dir.resolve("users.txt");
        Files.writeString(file, "# users\nalice SCRAM-SHA-512 password=x\n");
        assertThat(run("", "list", "--file", file.toString())).isEqualTo(2);
        assertThat(err()).startsWith("error: " + file + ":2: unknown credential attribute 'password'");
    }

    private int run(String stdin, String... args) {
        out.reset();
        err.reset();
        return UsersCommand.run(List.of(args), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
