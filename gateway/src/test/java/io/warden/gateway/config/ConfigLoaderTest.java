package io.warden.gateway.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    @Test
    void readsAFullConfiguration() {
        WardenConfig c = ConfigLoader.parse("w.yaml", """
                listeners:
                  - name: internal
                    bindHost: 0.0.0.0
                    advertisedHost: warden.example.com
                    bootstrapPort: 9092
                    brokerPorts: 9100-9109
                    firstNodeId: 1
                upstream:
                  bootstrapServers: [kafka-1:9092, "[::1]:9093"]
                  connectTimeoutMs: 2000
                  metadataTimeoutMs: 3000
                limits:
                  maxFrameBytes: 2048
                """);
        ListenerConfig l = c.listeners().get(0);
        assertThat(l).isEqualTo(new ListenerConfig("internal", "0.0.0.0", "warden.example.com", 9092, new PortRange(9100, 9109), 1));
        assertThat(l.portForNode(1)).hasValue(9100);
        assertThat(l.portForNode(10)).hasValue(9109);
        assertThat(l.portForNode(11)).isEmpty();
        assertThat(l.portForNode(0)).isEmpty();
        assertThat(c.upstream().bootstrapServers()).containsExactly(new HostPort("kafka-1", 9092), new HostPort("::1", 9093));
        assertThat(c.upstream().connectTimeout()).isEqualTo(Duration.ofMillis(2000));
        assertThat(c.upstream().metadataTimeout()).isEqualTo(Duration.ofMillis(3000));
        assertThat(c.limits().maxFrameBytes()).isEqualTo(2048);
        assertThat(ConfigLoader.parse("w.yaml", "upstream: {bootstrapServers: [k:1]}\n"
                + "listeners: [{bindHost: '::', advertisedHost: 'fd00::1', brokerPorts: 9100-9110}]").listeners().get(0).advertisedHost())
                .isEqualTo("fd00::1");
    }

    @Test
    void appliesDefaults() {
        WardenConfig c = ConfigLoader.parse("w.yaml", "upstream: {bootstrapServers: [localhost:9093]}\nlisteners: [{brokerPorts: 9100-9199}]");
        assertThat(c.listeners()).containsExactly(
                new ListenerConfig("listeners[0]", "127.0.0.1", "127.0.0.1", 9092, new PortRange(9100, 9199), 0));
        assertThat(c.limits().maxFrameBytes()).isEqualTo(100 * 1024 * 1024);
    }

    @Test
    void thereIsNoImplicitPlaintextListener() {
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", "upstream: {bootstrapServers: [localhost:9093]}"))
                .hasMessageStartingWith("w.yaml: listeners: is required: there is no implicit listener, so nothing is plaintext unless configured");
    }

    @Test
    void theShippedExampleIsValid() {
        Path example = Path.of("..", "config", "warden.example.yaml");
        assertThat(Files.exists(example)).isTrue();
        WardenConfig c = ConfigLoader.load(example);
        assertThat(c.listeners()).isNotEmpty();
    }

    @Test
    void errorsNameTheFileTheFieldAndWhatIsExpected() {
        List<String[]> cases = List.of(
                new String[] {"listeners: []\nupstream: {bootstrapServers: [k:1]}", "w.yaml: listeners: expected a non-empty list"},
                new String[] {"upstream: {}", "w.yaml: upstream.bootstrapServers: expected a non-empty list of host:port"},
                new String[] {"upstream: {bootstrapServers: [kafka]}", "w.yaml: upstream.bootstrapServers[0]: expected host:port, got 'kafka'"},
                new String[] {"upstream: {bootstrapServers: [k:1]}\nlisteners: [{brokerPorts: 9100-9110}]\nlimits: {maxFrameBytes: lots}", "w.yaml: limits.maxFrameBytes: expected an integer between 1024 and 2147483647, got 'lots'"},
                new String[] {"upstream: {bootstrapServers: [k:1]}\nlisteners: [{bootstrapPort: 9092}]", "w.yaml: listeners[0].brokerPorts: is required"},
                new String[] {"upstream: {bootstrapServers: [k:1]}\nlisteners: [{bootstrapPort: 9100, brokerPorts: 9100-9110}]", "w.yaml: listeners[0].brokerPorts: must not contain the bootstrap port 9100"},
                new String[] {"upstream: {bootstrapServers: [k:1]}\nlisteners: [{bindHost: 0.0.0.0, brokerPorts: 9100-9110}]", "w.yaml: listeners[0].advertisedHost: is required when bindHost is 0.0.0.0"},
                new String[] {"upstream: {bootstrapServers: [k:1]}\nlisteners: [{brokerPorts: 9100-9110}, {name: b, bootstrapPort: 9093, brokerPorts: 9105-9120}]", "w.yaml: listeners[1]: ports overlap with listener 'listeners[0]'"},
                new String[] {"upstream: {bootstrapServers: [k:1]}\nlisteners: [{brokerPorts: 9110-9100}]", "w.yaml: listeners[0].brokerPorts: expected first-last with 1 <= first <= last <= 65535"},
                new String[] {"upstream: {bootstrapServers: [k:1], bootstarp: x}", "w.yaml: upstream.bootstarp: unknown key; expected one of [bootstrapServers, connectTimeoutMs, metadataTimeoutMs, tls, sasl]"},
                new String[] {"listeners: [{brokerPorts: 9100-9110}]", "w.yaml: upstream: is required"},
                new String[] {"upstream: [", "w.yaml: not valid YAML at line"},
                new String[] {"upstream: {bootstrapServers: [k:1]}\nlisteners: [{brokerPorts: 9100-9110, advertisedHost: 'warden.example.com:9092'}]",
                        "w.yaml: listeners[0].advertisedHost: expected a host name or IP address without a port, got 'warden.example.com:9092'"},
                new String[] {"upstream: {bootstrapServers: [k:1]}\nlisteners: [{brokerPorts: 9100-9110, advertisedHost: 'warden example'}]",
                        "w.yaml: listeners[0].advertisedHost: expected a host name or IP address without a port, got 'warden example'"},
                new String[] {"upstream: {bootstrapServers: [k:1]}\nlisteners: [{brokerPorts: 9100-9110, bindHost: '10.0.0.1:9092'}]",
                        "w.yaml: listeners[0].bindHost: expected a host name or IP address without a port, got '10.0.0.1:9092'"});
        for (String[] c : cases) {
            assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", c[0]))
                    .as(c[0])
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(c[1]);
        }
    }

    /** A bootstrap server whose host no host can have would load, and the gateway would never reach that broker. */
    @Test
    void aBootstrapServerWithAHostNoHostCanHaveIsRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), "acls:\n  - principal: User:alice\n    operations: [read]\n    topic: t\n");
        String base = "listeners: [{brokerPorts: 9100-9199}]\n";
        List<String[]> cases = List.of(
                new String[] {base + "upstream: {bootstrapServers: ['k :9092']}",
                        "w.yaml: upstream.bootstrapServers[0]: expected host:port with a host name or IP address, got 'k :9092'"},
                new String[] {base + "upstream: {bootstrapServers: ['k:1', 'k/2:9092']}",
                        "w.yaml: upstream.bootstrapServers[1]: expected host:port with a host name or IP address, got 'k/2:9092'"},
                new String[] {base + "upstream: {bootstrapServers: ['k:1:9092']}",
                        "w.yaml: upstream.bootstrapServers[0]: expected host:port with a host name or IP address, got 'k:1:9092'"},
                new String[] {base + "upstream: {bootstrapServers: [k:1]}\naudit: {kafka: {bootstrapServers: ['a udit:9092'], topic: t}}",
                        "w.yaml: audit.kafka.bootstrapServers[0]: expected host:port with a host name or IP address, got 'a udit:9092'"},
                new String[] {base + "upstream: {bootstrapServers: [k:1]}\n"
                        + "authorization: {policyFile: policy.yaml, kafkaStore: {bootstrapServers: ['st*re:9092'], topic: t}}",
                        "w.yaml: authorization.kafkaStore.bootstrapServers[0]: expected host:port with a host name or IP address, got 'st*re:9092'"});
        for (String[] c : cases) {
            assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", c[0], dir))
                    .as(c[0])
                    .isInstanceOf(ConfigException.class)
                    .hasMessage(c[1]);
        }
        assertThat(ConfigLoader.parse("w.yaml", base + "upstream: {bootstrapServers: ['kafka-1.example.com:9092', '[fd00::1]:9093', '10.0.0.1:9094']}", dir)
                .upstream().bootstrapServers())
                .containsExactly(new HostPort("kafka-1.example.com", 9092), new HostPort("fd00::1", 9093), new HostPort("10.0.0.1", 9094));
    }

    /** Spaces around a bootstrap server are not part of its host: Kafka's bootstrap.servers drops them, and so does the gateway. */
    @Test
    void spacesAroundABootstrapServerAreDroppedAsKafkaDrops(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), "acls:\n  - principal: User:alice\n    operations: [read]\n    topic: t\n");
        WardenConfig config = ConfigLoader.parse("w.yaml", """
                listeners: [{brokerPorts: 9100-9199}]
                upstream: {bootstrapServers: [' k:9092 ']}
                audit: {kafka: {bootstrapServers: [' audit-1:9092', 'audit-2:9092 '], topic: t}}
                authorization: {policyFile: policy.yaml, kafkaStore: {bootstrapServers: ["\tstore:9092"], topic: t}}
                """, dir);
        assertThat(config.upstream().bootstrapServers()).containsExactly(new HostPort("k", 9092));
        assertThat(config.audit().kafka().bootstrapServers()).containsExactly("audit-1:9092", "audit-2:9092");
        assertThat(config.authorization().kafkaStore().bootstrapServers()).containsExactly("store:9092");
    }

    /** YAML reads an unquoted 0123 as the number 83: a password written so is refused, not changed, and not echoed. */
    @Test
    void anUnquotedNumberWhereTextIsExpectedIsRefusedWithoutEchoingIt() {
        String yaml = "upstream:\n  bootstrapServers: [k:1]\n  sasl: {mechanism: SCRAM-SHA-512, username: warden, password: 0123}\n"
                + "listeners: [{brokerPorts: 9100-9110}]\n";
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("w.yaml: upstream.sasl.password: expected text, got a number")
                .message().doesNotContain("0123").doesNotContain("83");
    }

    /** The parser's own message quotes the offending line, which may hold a password: the error gives only where and what. */
    @Test
    void aYamlSyntaxErrorDoesNotQuoteTheLine() {
        String yaml = "upstream:\n  bootstrapServers: [k:1]\n  sasl: {mechanism: SCRAM-SHA-512, username: warden, password: \"s3cr3t-Passw0rd}\n";
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("w.yaml: not valid YAML at line")
                .message().doesNotContain("s3cr3t").doesNotContain("\n");
    }

    @Test
    void aMissingFileIsAConfigError() {
        assertThatThrownBy(() -> ConfigLoader.load(Path.of("no-such-warden.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("no-such-warden.yaml: file not found");
    }

    @Test
    void aFileNotInUtf8IsRefusedSayingSo(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, "listeners: [{name: caf\u00e9, brokerPorts: 9100-9199}]\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ": not valid UTF-8 text (save the file as UTF-8)");
    }

    @Test
    void aKeyGivenTwiceIsAnErrorNotASilentOverride() {
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", """
                listeners: [{brokerPorts: 9100-9199}]
                limits: {maxConnections: 10}
                upstream: {bootstrapServers: [k:9092]}
                limits: {maxConnectionsPerIp: 5}
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("w.yaml").hasMessageContaining("'limits'")
                .hasMessageContaining("line 4");
    }

    /** A section after "---" is not read: refused, so that an authorization or audit put there is not silently off. */
    @Test
    void aSecondYamlDocumentIsRefusedNotIgnored() {
        String first = "---\nlisteners: [{brokerPorts: 9100-9199}]\nupstream: {bootstrapServers: [k:9092]}\n";
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", first + "---\naudit: {stdout: true}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("w.yaml: a second YAML document (line 5) would be ignored");
        assertThat(ConfigLoader.parse("w.yaml", first + "...\n").listeners()).hasSize(1);
        assertThat(ConfigLoader.parse("w.yaml", first + "---\n").listeners()).as("an empty document holds nothing").hasSize(1);
    }
}
