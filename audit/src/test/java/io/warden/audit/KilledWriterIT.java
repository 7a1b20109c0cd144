package io.warden.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A writer process killed with SIGKILL while it writes: {@code verify} names the unsealed or cut-off end of the trail
 * and finds every earlier record intact; the next writer seals the segment on recovery and the trail verifies.
 */
class KilledWriterIT {

    @TempDir
    Path tmp;

    /** The process that gets killed: writes batches of events to a file sink until it is stopped. */
    public static void main(String[] args) throws Exception {
        try (FileSink sink = new FileSink(new FileSinkConfig(Path.of(args[0]), 64L * 1024 * 1024, null, Path.of(args[1])))) {
            for (int i = 1; ; i += 200) {
                sink.write(Events.encoded(i, 200));
                sink.flush();
            }
        }
    }

    @Test
    void aKilledWriterLeavesATrailThatVerifiesUpToTheCut() throws Exception {
        Path keys = tmp.resolve("keys");
        Path privateKey = TestKeys.write(TestKeys.ed25519(), keys);
        Path dir = tmp.resolve("trail");
        Process writer = startWriter(dir, privateKey);
        try {
            awaitWritten(writer, dir, 2 * 1024 * 1024);
        } finally {
            writer.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no digest
            writer.waitFor(30, TimeUnit.SECONDS);
        }

        VerificationResult cut = AuditVerifier.verify(dir, PemKeys.readPublicKey(keys.resolve("public.pem")));
        if (cut.ok()) {
            assertThat(cut.warnings()).anyMatch(w -> w.contains("is open: not sealed yet"));
        } else {
            assertThat(cut.firstProblem().kind()).isEqualTo(VerificationResult.Kind.TRUNCATED);
            assertThat(cut.firstProblem().toString()).contains("partial last line");
        }
        assertThat(cut.records()).isGreaterThan(1000);

        // The next start recovers: the open segment is sealed as it stands and a new one begins.
        new FileSink(FileSinkConfig.of(dir, privateKey)).close();
        VerificationResult recovered = AuditVerifier.verify(dir, PemKeys.readPublicKey(keys.resolve("public.pem")));
        assertThat(recovered.ok()).as(String.valueOf(recovered.firstProblem())).isTrue();
        assertThat(recovered.records()).isEqualTo(cut.records());
        assertThat(recovered.warnings()).anyMatch(w -> w.contains("sealed on recovery after an unclean stop"));
    }

    /**
     * A second writer on a directory a live process writes refuses to start, naming the directory, rather than seal
     * the live segment as recovered while the first goes on appending to it.
     */
    @Test
    void aSecondWriterOnADirectoryAnotherProcessWritesRefusesToStart() throws Exception {
        Path keys = tmp.resolve("keys");
        Path privateKey = TestKeys.write(TestKeys.ed25519(), keys);
        Path dir = tmp.resolve("shared");
        Process writer = startWriter(dir, privateKey);
        try {
            awaitWritten(writer, dir, 64 * 1024);
            assertThatThrownBy(() -> new FileSink(FileSinkConfig.of(dir, privateKey)))
                    .isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("audit directory " + dir + " is in use by another Warden process");
            // the newest: the writer may have rotated (64 MiB) and sealed older ones itself by now
            java.util.List<Path> segments = Segments.list(dir);
            assertThat(Segments.digestOf(segments.get(segments.size() - 1))).as("the live segment left unsealed").doesNotExist();
        } finally {
            writer.destroyForcibly();
            writer.waitFor(30, TimeUnit.SECONDS);
        }
        // Once the first is gone, whatever way it went, the directory is free again.
        new FileSink(FileSinkConfig.of(dir, privateKey)).close();
    }

    /**
     * A verify run in the process that writes the directory leaves the writer's lock in place: its look at the lock
     * file does not release the lock the writer holds.
     */
    @Test
    void aVerifyInTheWritingProcessKeepsTheDirectoryLocked() throws Exception {
        Path keys = tmp.resolve("keys");
        Path privateKey = TestKeys.write(TestKeys.ed25519(), keys);
        Path dir = tmp.resolve("verified");
        try (FileSink sink = new FileSink(FileSinkConfig.of(dir, privateKey))) {
            sink.write(Events.encoded(1, 10));
            sink.flush();
            assertThat(AuditVerifier.verify(dir, PemKeys.readPublicKey(keys.resolve("public.pem"))).ok()).isTrue();
            Process second = startWriter(dir, privateKey);
            try {
                assertThat(second.waitFor(30, TimeUnit.SECONDS)).as("the second writer stopped").isTrue();
                assertThat(Files.readString(tmp.resolve("writer.log"))).contains("is in use by another Warden process");
            } finally {
                second.destroyForcibly();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Waits until the writer process has written {@code bytes} to {@code dir}, and checks that it still runs. */
    private void awaitWritten(Process writer, Path dir, long bytes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (size(dir) < bytes && System.nanoTime() < deadline && writer.isAlive()) {
            Thread.sleep(20);
        }
        assertThat(writer.isAlive()).as(Files.readString(tmp.resolve("writer.log"))).isTrue();
    }

    private Process startWriter(Path dir, Path privateKey) throws java.io.IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                KilledWriterIT.class.getName(), dir.toString(), privateKey.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("writer.log").toFile()).start();
    }

    private static long size(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.toList();
            long total = 0;
            for (Path f : all) {
                total += Files.size(f);
            }
            return total;
        }
    }
}
