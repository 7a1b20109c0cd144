package io.warden.gateway.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The files in docker/ agree with the gateway: its configuration loads, the image builds every module it needs. */
class DockerFilesTest {

    private static final Path DOCKER = Path.of("..", "docker");

    @Test
    void theComposeConfigurationLoadsAndPrometheusScrapesItsAdminPort() throws Exception {
        WardenConfig config = ConfigLoader.load(DOCKER.resolve("warden.yaml"));
        assertThat(config.admin()).isNotNull();
        assertThat(config.admin().bindHost()).isEqualTo("127.0.0.1");
        assertThat(Files.readString(DOCKER.resolve("prometheus.yml")))
                .contains("targets: [\"127.0.0.1:" + config.admin().port() + "\"]");
    }

    @Test
    void theImageCopiesTheSourcesOfEveryModuleTheGatewayDependsOn() throws Exception {
        List<String> modules = new ArrayList<>();
        Matcher m = Pattern.compile("<artifactId>warden-([a-z]+)</artifactId>").matcher(Files.readString(Path.of("pom.xml")));
        while (m.find()) {
            if (!m.group(1).equals("parent") && !m.group(1).equals("gateway")) {
                modules.add(m.group(1));
            }
        }
        assertThat(modules).contains("authn", "audit", "policies");
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        for (String module : modules) {
            assertThat(dockerfile).as("docker/Dockerfile builds %s", module).contains("COPY " + module + "/src/main " + module + "/src/main/");
        }
    }
}
