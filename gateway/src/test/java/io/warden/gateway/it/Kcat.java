package io.warden.gateway.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs kcat (librdkafka), the second client implementation the tests use, against a bootstrap address. */
final class Kcat {

    record Result(int exit, String output) {
    }

    private Kcat() {
    }

    /** Runs {@code kcat -b bootstrap -m 30 args...} with this standard input (or none) and waits up to a minute. */
    static Result run(String bootstrap, String stdin, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kcat", "-b", bootstrap, "-m", "30"));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kcat did not finish: " + String.join(" ", command));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
