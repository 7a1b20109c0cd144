package io.warden.gateway.config;

import io.warden.policies.TextMutations;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The configurations the documentation shows, and one that holds a password, with characters changed, removed or
 * added (a fixed seed, a bounded number of cases): each either loads or stops with a {@link ConfigException} — the
 * message Warden prints without a stack trace — and no message repeats the password.
 */
class MutatedConfigTest {

    private static final String PASSWORD = "upstream-pw-7f3a";
    private static final String WITH_PASSWORD = """
            listeners:
              - name: sasl
                bootstrapPort: 9092
                brokerPorts: 9100-9109
            upstream:
              bootstrapServers: [kafka-1:9092, kafka-2:9092]
              sasl: {mechanism: SCRAM-SHA-512, username: warden, password: %s}
            limits: {maxFrameBytes: 1048576}
            """.formatted(PASSWORD);

    @Test
    void everyMutatedConfigurationLoadsOrFailsWithAConfigException() throws Exception {
        List<String> documents = new ArrayList<>(yamlBlocks(Path.of("../docs/configuration.md")));
        documents.addAll(yamlBlocks(Path.of("../README.md")));
        documents.add(Files.readString(Path.of("../config/warden.example.yaml")));
        documents.add(WITH_PASSWORD);
        assertThat(documents).hasSizeGreaterThan(8);
        Random random = new Random(20261127L);
        Path base = Files.createTempDirectory("mutated-config");
        for (int n = 0; n < 3_000; n++) {
            String valid = documents.get(random.nextInt(documents.size()));
            String mutated = TextMutations.mutate(valid, random);
            try {
                ConfigLoader.parse("w.yaml", mutated, base);
            } catch (ConfigException refused) {
                assertThat(refused.getMessage()).as("case %d", n).startsWith("w.yaml").doesNotContain(PASSWORD);
            } catch (RuntimeException e) {
                fail("case " + n + ": the configuration\n" + mutated + "\nmade the loader fail with " + e, e);
            }
        }
    }

    private static List<String> yamlBlocks(Path markdown) throws Exception {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(markdown));
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }
}
