package io.warden.gateway.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a client that is not Java (kcat, node with kafkajs) as a process, and what it printed. */
final class ExternalProcess {

    /** The exit status and everything printed on standard output and standard error. */
    record Result(int exit, String output) {
    }

    private ExternalProcess() {
    }

    /**
     * Runs {@code command} in {@code directory} (null: this one) with this standard input (or none), waiting at most
     * {@code timeoutSeconds} before it fails the test.
     */
    static Result run(List<String> command, Path directory, String stdin, long timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        Process p = builder.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish: " + String.join(" ", command));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
