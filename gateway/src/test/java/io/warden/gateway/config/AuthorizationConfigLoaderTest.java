package io.warden.gateway.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The authorization section: the policy file is checked at load, and a broken one stops startup with its line. */
class AuthorizationConfigLoaderTest {

    @TempDir
    Path dir;

    private WardenConfig load(String authorization) {
        return ConfigLoader.parse("w.yaml", "listeners: [{brokerPorts: 9100-9199}]\nupstream: {bootstrapServers: [k:9092]}\n" + authorization, dir);
    }

    @Test
    void aGoodPolicyFileIsAccepted() throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), "acls:\n  - principal: User:alice\n    operations: [read]\n    topic: t\n");
        AuthorizationConfig a = load("authorization: {policyFile: policy.yaml, reloadCheckSeconds: 2}").authorization();
        assertThat(a.policyFile()).isEqualTo(dir.resolve("policy.yaml"));
        assertThat(a.reloadCheck()).isEqualTo(Duration.ofSeconds(2));
        assertThat(load("").authorization()).isNull();
    }

    @Test
    void aBrokenPolicyFileStopsStartupWithItsLineAndField() throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), "acls:\n  - principal: User:alice\n    operations: [wirte]\n    topic: t\n");
        assertThatThrownBy(() -> load("authorization: {policyFile: policy.yaml}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("w.yaml: authorization.policyFile: ")
                .hasMessageContaining("policy.yaml:3")
                .hasMessageContaining("wirte");
        assertThatThrownBy(() -> load("authorization: {}")).hasMessage("w.yaml: authorization.policyFile: is required: the YAML policy every request is checked against");
        assertThatThrownBy(() -> load("authorization: {policyFile: missing.yaml}")).hasMessageContaining("missing.yaml: file not found");
    }
}
