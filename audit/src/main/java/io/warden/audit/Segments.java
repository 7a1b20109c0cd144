package io.warden.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
