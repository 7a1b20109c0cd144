package io.warden.policies;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * What tells that a file changed without reading it: modification time, size and file key (the inode, where the
 * platform has one). An edit in place changes the time and usually the size; an atomic replacement (write elsewhere,
 * rename over the file, as editors, deploy tools and Kubernetes ConfigMaps do) changes the file key.
 */
public record FileFingerprint(FileTime modified, long size, Object fileKey) {

    /** The file's fingerprint now; null while it does not exist or its attributes cannot be read. */
    public static FileFingerprint of(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileFingerprint(a.lastModifiedTime(), a.size(), a.fileKey());
        } catch (IOException e) {
            return null;
        }
    }
}
