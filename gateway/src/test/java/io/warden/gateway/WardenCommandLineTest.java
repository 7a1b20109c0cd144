package io.warden.gateway;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code warden} command line's own answers: help, usage errors and their exit statuses. */
class WardenCommandLineTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return Warden.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** Asking for help is not a mistake: the command's usage on standard output, exit status 0, whatever the command. */
    @Test
    void helpPrintsEachCommandsUsageAndSucceeds() {
        List<List<String>> asks = List.of(
                List.of("--help"), List.of("-h"),
                List.of("run", "--help"), List.of("check-config", "--help"),
                List.of("users", "--help"), List.of("users", "add", "--help"),
                List.of("certs", "--help"), List.of("certs", "init-ca", "-h"),
                List.of("audit", "--help"), List.of("audit", "query", "--help"), List.of("audit", "help"),
                List.of("policies", "--help"), List.of("policies", "apply", "--help"),
                // After other arguments too, however many.
                List.of("audit", "query", "trail", "--help"), List.of("audit", "query", "trail", "--type", "produce", "-h"),
                List.of("run", "--config", "warden.yaml", "--help"), List.of("check-config", "warden.yaml", "--help"),
                List.of("certs", "issue-client", "--ca", "ca", "--out", "out", "--cn", "alice", "--help"),
                List.of("users", "add", "--file", "users.json", "--help"), List.of("policies", "validate", "policy.yaml", "--help"));
        for (List<String> ask : asks) {
            assertThat(run(ask.toArray(String[]::new))).as(ask + ": " + err).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).as(ask.toString()).startsWith("usage: warden");
            assertThat(err.toString(StandardCharsets.UTF_8)).as(ask.toString()).isEmpty();
        }
        run("users", "--help");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("add    --file F --name NAME");
        run("policies", "--help");
        assertThat(out.toString(StandardCharsets.UTF_8)).as("both kinds of policies commands")
                .contains("warden policies validate FILE", "warden policies apply FILE");
    }

    @Test
    void aMistakeIsAUsageOnStandardErrorAndStatusTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("usage: warden <command>");
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("warden: unknown command 'frobnicate'");
        assertThat(run("frobnicate", "--help")).isEqualTo(2);
        assertThat(run("run", "--config")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("usage: warden run --config FILE\n");
        assertThat(run("check-config", "no-such-warden.yaml")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("error: no-such-warden.yaml: file not found\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
