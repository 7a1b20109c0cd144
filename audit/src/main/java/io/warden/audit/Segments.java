package io.warden.audit;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Names and finds the segment files of an audit directory: {@code audit-00000001.jsonl}, its {@code .digest} once
 * sealed, and its {@code .checkpoint} while open.
 */
final class Segments {

    static final String DIGEST_SUFFIX = ".digest";
    static final String CHECKPOINT_SUFFIX = ".checkpoint";
    /** The file a sink locks while it writes the directory. */
    static final String LOCK_FILE = "audit.lock";
    /** How long a sink tries for the lock before it refuses the directory as in use. */
    private static final Duration LOCK_PATIENCE = Duration.ofSeconds(1);
    private static final long LOCK_RETRY_MILLIS = 20;
    private static final Pattern NAME = Pattern.compile("audit-(\\d{8,})\\.jsonl");

    private Segments() {
    }

    static String name(long index) {
        return String.format("audit-%08d.jsonl", index);
    }

    static Path digestOf(Path segment) {
        return segment.resolveSibling(segment.getFileName() + DIGEST_SUFFIX);
    }

    static Path checkpointOf(Path segment) {
        return segment.resolveSibling(segment.getFileName() + CHECKPOINT_SUFFIX);
    }

    /** The segment's index, or -1 when the name is not a segment's. */
    static long index(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Takes the directory's lock file for the sink that writes it: two writers would seal each other's open segment
     * and interleave one chain. The lock lasts while the channel is open, and the operating system drops it when the
     * process ends, however it ends.
     */
    static FileChannel lock(Path dir) throws IOException {
        Path file = dir.resolve(LOCK_FILE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = null;
        long deadline = System.nanoTime() + LOCK_PATIENCE.toNanos();
        try {
            // A moment's patience: "warden audit verify" takes a shared lock for an instant to see whether a
            // writer holds the directory.
            while (true) {
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException heldInThisProcess) {
                    lock = null;
                }
                if (lock != null || System.nanoTime() >= deadline) {
                    break;
                }
                Thread.sleep(LOCK_RETRY_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.close();
            throw new IOException("interrupted while waiting for the lock of audit directory " + dir, e);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new IOException("audit directory " + dir + " is in use by another Warden process (it holds " + file
                    + "); give each gateway an audit directory of its own");
        }
        return channel;
    }

    /** True while a sink holds the directory's lock: its last segment is being written. */
    static boolean inUse(Path dir) throws IOException {
        Path file = dir.resolve(LOCK_FILE);
        if (!Files.exists(file)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            FileLock shared = channel.tryLock(0, Long.MAX_VALUE, true);
            if (shared == null) {
                return true;
            }
            shared.release();
            return false;
        } catch (OverlappingFileLockException heldHere) {
            return true;
        }
    }

    /** The directory's segments, oldest first. */
    static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> out = new ArrayList<>(files.filter(f -> index(f) >= 0).toList());
            out.sort(Comparator.comparingLong(Segments::index));
            return out;
        }
    }

    /** Digest and checkpoint files whose segment is gone. */
    static List<Path> orphanDigests(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> {
                        String segment = segmentOf(f);
                        return segment != null && !Files.exists(f.resolveSibling(segment));
                    })
                    .sorted()
                    .toList();
        }
    }

    /** The name of the segment a digest or checkpoint file belongs to, or null for any other file. */
    private static String segmentOf(Path file) {
        String name = file.getFileName().toString();
        for (String suffix : List.of(DIGEST_SUFFIX, CHECKPOINT_SUFFIX)) {
            if (name.endsWith(".jsonl" + suffix)) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return null;
    }
}
