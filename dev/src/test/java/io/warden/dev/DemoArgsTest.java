package io.warden.dev;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code warden demo} refuses bad options with a message naming them, before starting anything, and has a --help. */
class DemoArgsTest {

    /** Runs the demo's argument handling with standard output and error captured: exit code, then what was printed. */
    private static String run(int expectedExit, String... args) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream both = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(both);
        System.setErr(both);
        try {
            assertThat(Demo.run(List.of(args))).isEqualTo(expectedExit);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void badOptionsAreNamedWithWhatIsExpected() throws Exception {
        assertThat(run(2, "--port", "ninety")).contains("--port: expected the first of the demo's ports, 1 to 65128")
                .contains("got 'ninety'");
        assertThat(run(2, "--port", "65500")).contains("got '65500'");
        assertThat(run(2, "--port")).contains("--port: expected").contains("got nothing");
        assertThat(run(2, "--dir")).contains("--dir: expected a directory");
        assertThat(run(2, "--verbose")).contains("warden demo has no option --verbose").contains("usage: warden demo");
    }

    @Test
    void helpPrintsTheUsageAndSucceeds() throws Exception {
        assertThat(run(0, "--help")).startsWith("usage: warden demo [--port PORT] [--dir DIR]");
        assertThat(run(0, "--port", "9100", "-h")).startsWith("usage: warden demo");
    }
}
