package io.warden.gateway.it;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Kafka's own command-line tools ({@code kafka-acls}, {@code kafka-configs}) run in this JVM against a bootstrap
 * address, with a client configuration written to a properties file as the tools take it: their exit status and
 * what they printed, as for the clients run as processes.
 */
final class KafkaTools {

    private KafkaTools() {
    }

    /** {@code kafka-acls} ({@code org.apache.kafka.tools.AclCommand}). */
    static ExternalProcess.Result kafkaAcls(String bootstrap, Map<String, Object> client, Path dir, String... args) throws Exception {
        return run("kafka-acls", org.apache.kafka.tools.AclCommand::main, bootstrap, client, dir, args);
    }

    /** {@code kafka-configs} ({@code kafka.admin.ConfigCommand}). */
    static ExternalProcess.Result kafkaConfigs(String bootstrap, Map<String, Object> client, Path dir, String... args) throws Exception {
        return run("kafka-configs", kafka.admin.ConfigCommand::main, bootstrap, client, dir, args);
    }

    private static ExternalProcess.Result run(String tool, Consumer<String[]> main, String bootstrap, Map<String, Object> client,
                                              Path dir, String... args) throws Exception {
        Path config = Files.createTempFile(dir, tool, ".properties");
        StringBuilder properties = new StringBuilder();
        client.forEach((k, v) -> properties.append(k).append('=').append(v).append('\n'));
        Files.writeString(config, properties.toString());
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", bootstrap, "--command-config", config.toString()));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int[] exit = {0};
        org.apache.kafka.common.utils.Exit.setExitProcedure((status, message) -> {
            exit[0] = status;
            throw new IllegalStateException(tool + " exited with " + status);
        });
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            main.accept(all.toArray(String[]::new));
        } catch (IllegalStateException e) {
            // the tool's exit, turned into a status
        } finally {
            System.setOut(stdout);
            org.apache.kafka.common.utils.Exit.resetExitProcedure();
        }
        return new ExternalProcess.Result(exit[0], out.toString(StandardCharsets.UTF_8));
    }
}
