package io.warden.gateway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs a client in a process of its own (kcat, kafkajs on node, kafka-python, an old Java client), and what it
 * printed.
 */
final class ExternalProcess {

    /** The exit status and everything printed on standard output and standard error. */
    record Result(int exit, String output) {

        /** The last line printed, read as JSON: how the scripted clients report what happened. */
        JsonNode lastLineAsJson() throws IOException {
            return new ObjectMapper().readTree(output.lines().reduce((first, second) -> second).orElseThrow());
        }
    }

    /** The texts of a JSON array. */
    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private ExternalProcess() {
    }

    /**
     * Runs a scripted client, {@code interpreter script '<settings as JSON>'} in {@code directory}, which must exit 0
     * (its output shown otherwise), and returns the JSON object it printed last.
     */
    static JsonNode script(String interpreter, String script, Path directory, Map<String, Object> settings, long timeoutSeconds)
            throws IOException, InterruptedException {
        Result r = run(List.of(interpreter, script, new ObjectMapper().writeValueAsString(settings)), directory, null, timeoutSeconds);
        assertThat(r.exit()).as(r.output()).isZero();
        return r.lastLineAsJson();
    }

    /**
     * Runs {@code command} in {@code directory} (null: this one) with this standard input (or none), waiting at most
     * {@code timeoutSeconds} before it fails the test.
     */
    static Result run(List<String> command, Path directory, String stdin, long timeoutSeconds) throws IOException, InterruptedException {
        Path output = Files.createTempFile("warden-process", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            if (directory != null) {
                builder.directory(directory.toFile());
            }
            Process p = builder.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("did not finish in " + timeoutSeconds + " s: " + String.join(" ", command)
                        + "\n" + new String(Files.readAllBytes(output), StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), new String(Files.readAllBytes(output), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
