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

/** Names and finds the segment files of an audit directory: {@code audit-00000001.jsonl} and its {@code .digest}. */
final class Segments {

    static final String DIGEST_SUFFIX = ".digest";
    private static final Pattern NAME = Pattern.compile("audit-(\\d{8,})\\.jsonl");

    private Segments() {
    }

    static String name(long index) {
        return String.format("audit-%08d.jsonl", index);
    }

    static Path digestOf(Path segment) {
        return segment.resolveSibling(segment.getFileName() + DIGEST_SUFFIX);
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

    /** Digest files whose segment is gone. */
    static List<Path> orphanDigests(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsonl" + DIGEST_SUFFIX))
                    .filter(f -> !Files.exists(f.resolveSibling(
                            f.getFileName().toString().substring(0, f.getFileName().toString().length() - DIGEST_SUFFIX.length()))))
                    .sorted()
                    .toList();
        }
    }
}
