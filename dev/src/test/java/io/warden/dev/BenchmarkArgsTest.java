package io.warden.dev;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code warden bench} refuses bad latency options with a message naming the option, before starting anything. */
class BenchmarkArgsTest {

    private static String refused(String... args) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(Benchmark.run(List.of(args))).isEqualTo(2);
        } finally {
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void latencyRoundsMustBeAPositiveWholeNumber() throws Exception {
        assertThat(refused("--latency-rounds", "0")).contains("--latency-rounds: expected a whole number from 1 to 9999, got '0'");
        assertThat(refused("--latency-rounds", "eight")).contains("got 'eight'");
        assertThat(refused("--rounds", "3", "--latency-rounds")).contains("--latency-rounds: expected a whole number");
    }

    @Test
    void latencySecondsMustBeANumber() throws Exception {
        assertThat(refused("--latency-seconds", "ten")).contains("--latency-seconds: expected a number of seconds (0 for no latency runs), got 'ten'");
        assertThat(refused("--latency-seconds", "-1")).contains("got '-1'");
    }

    @Test
    void helpPrintsEveryBenchmarksOptionsAndSucceeds() throws Exception {
        for (List<String> args : List.of(List.of("--help"), List.of("tls", "--help"), List.of("audit", "-h"))) {
            PrintStream out = System.out;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                assertThat(Benchmark.run(args)).as(args.toString()).isZero();
            } finally {
                System.setOut(out);
            }
            assertThat(captured.toString(StandardCharsets.UTF_8)).startsWith("usage: warden bench ").contains("warden bench audit ");
        }
    }
}
