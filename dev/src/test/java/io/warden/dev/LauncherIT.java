package io.warden.dev;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code ./warden} launcher, on the build this test is part of: its handling of {@code WARDEN_JAVA_OPTS}, and the
 * directory Warden runs in.
 */
class LauncherIT {

    private static final Path LAUNCHER = Path.of("..", "warden").toAbsolutePath().normalize();

    private record Run(int exitCode, String output) {
    }

    /** Runs the launcher with the given WARDEN_JAVA_OPTS; {@code -version} in them stops the JVM before Warden. */
    private static Run launch(String javaOpts) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toString(), "demo").redirectErrorStream(true);
        pb.environment().put("WARDEN_JAVA_OPTS", javaOpts);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void quotedValuesReachTheJvmWholeAndNothingIsExpanded() throws Exception {
        Run run = launch("-Dwarden.launcher.a=\"two words\" -Dwarden.launcher.b='single quoted' "
                + "-Dwarden.launcher.c=$HOME -Dwarden.launcher.d=* -XshowSettings:properties -version");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("warden.launcher.a = two words")
                .contains("warden.launcher.b = single quoted")
                .contains("warden.launcher.c = $HOME")
                .contains("warden.launcher.d = *");
    }

    @Test
    void anUnclosedQuoteIsRefusedWithoutEchoingTheOptions() throws Exception {
        Run run = launch("-Dwarden.launcher.secret=\"s3cr3t -version");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.output()).contains("WARDEN_JAVA_OPTS: a quote is not closed").doesNotContain("s3cr3t");
    }

    /** Started from another directory, Warden reads and writes relative paths there, not in the repository. */
    @Test
    void relativePathsAreTheCallersDirectorys(@org.junit.jupiter.api.io.TempDir Path elsewhere) throws Exception {
        Process p = new ProcessBuilder(LAUNCHER.toString(), "audit", "keygen", "key.pem", "key.pub.pem")
                .directory(elsewhere.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(elsewhere.resolve("key.pem")).exists();
        assertThat(elsewhere.resolve("key.pub.pem")).exists();
        assertThat(LAUNCHER.resolveSibling("key.pem")).doesNotExist();
    }
}
