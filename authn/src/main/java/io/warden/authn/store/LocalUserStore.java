package io.warden.authn.store;

import io.warden.authn.scram.ScramCredentials;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Warden's embedded credential store: a text file of salted SCRAM credentials in Kafka's own notation (see
 * {@link UserFileFormat}), so no database or broker is needed to run SASL and no password is ever stored. Lookups
 * read a volatile immutable snapshot and never block; {@link #reloadIfChanged()} swaps in a new snapshot only when
 * the whole file parses, so a broken edit keeps the last good users. Edits ({@link #addUser}, {@link #removeUser})
 * rewrite the file atomically with owner-only permissions (0600).
 */
public final class LocalUserStore implements CredentialStore {

    private static final Logger LOG = LoggerFactory.getLogger(LocalUserStore.class);

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final List<String> HEADER = List.of(
            "# Warden users: <user> <mechanism> salt=...,stored_key=...,server_key=...,iterations=N",
            "# Salted SCRAM credentials only, never passwords. Edit with 'warden users add|remove'.");

    private final Path file;
    private volatile Map<String, Map<ScramMechanism, ScramCredential>> users;
    private Stamp lastSeen;
    private volatile java.time.Instant lastSuccessfulRefresh = java.time.Instant.now();

    private LocalUserStore(Path file, Map<String, Map<ScramMechanism, ScramCredential>> users, Stamp stamp) {
        this.file = file;
        this.users = users;
        this.lastSeen = stamp;
    }

    /**
     * Reads {@code file}.
     *
     * @throws UserFileException naming the file (and line) when it is missing, unreadable or has a bad line
     */
    public static LocalUserStore load(Path file) {
        Stamp stamp = Stamp.of(file);
        if (stamp == null) {
            throw new UserFileException(file + ": no such file");
        }
        return new LocalUserStore(file, snapshot(UserFileFormat.parse(file.toString(), readLines(file))), stamp);
    }

    /** Like {@link #load}, but a missing file is an empty store (the first {@link #addUser} creates it). */
    public static LocalUserStore loadOrEmpty(Path file) {
        return Files.exists(file) ? load(file) : new LocalUserStore(file, Map.of(), null);
    }

    /** Why {@code name} cannot be a user name in the file (spaces, non-ASCII, too long), or null when it can. */
    public static String userNameProblem(String name) {
        return UserFileFormat.userNameProblem(name);
    }

    @Override
    public Optional<ScramCredential> credential(String username, ScramMechanism mechanism) {
        Map<ScramMechanism, ScramCredential> credentials = users.get(username);
        ScramCredential c = credentials == null ? null : credentials.get(mechanism);
        return c == null ? Optional.empty()
                : Optional.of(new ScramCredential(c.salt().clone(), c.storedKey().clone(), c.serverKey().clone(), c.iterations()));
    }

    @Override
    public Set<String> users() {
        return users.keySet();
    }

    /** The mechanisms {@code username} has credentials for (empty when unknown). */
    public Set<ScramMechanism> mechanisms(String username) {
        Map<ScramMechanism, ScramCredential> credentials = users.get(username);
        return credentials == null ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(credentials.keySet()));
    }

    @Override
    public String describe() {
        return "file:" + file;
    }

    /** When the file was last read, or found unchanged, without error. */
    @Override
    public java.time.Instant lastSuccessfulRefresh() {
        return lastSuccessfulRefresh;
    }

    public Path file() {
        return file;
    }

    /**
     * Re-reads the file when its modification time, size or identity changed. A file that no longer parses (or has
     * disappeared) is logged and the last good users are kept.
     *
     * @return whether a new set of users is now in effect
     */
    public synchronized boolean reloadIfChanged() {
        Stamp now = Stamp.of(file);
        if (Objects.equals(now, lastSeen)) {
            lastSuccessfulRefresh = java.time.Instant.now();
            return false;
        }
        lastSeen = now;
        if (now == null) {
            LOG.warn("event=users_reload_failed file=\"{}\" reason=\"the file is missing\" action=kept_last_good users={}",
                    file, users.size());
            return false;
        }
        try {
            users = snapshot(UserFileFormat.parse(file.toString(), readLines(file)));
            lastSuccessfulRefresh = java.time.Instant.now();
            LOG.info("event=users_reloaded file=\"{}\" users={}", file, users.size());
            return true;
        } catch (UserFileException e) {
            LOG.warn("event=users_reload_failed file=\"{}\" reason=\"{}\" action=kept_last_good users={}",
                    file, e.getMessage(), users.size());
            return false;
        }
    }

    /**
     * Creates or replaces {@code username}'s credentials: fresh salted credentials for each of {@code mechanisms}
     * derived from {@code password}; any other mechanism the user had is removed, so an old password cannot stay
     * valid through it. The password array is not modified.
     *
     * @return true when the user is new, false when an existing user was replaced
     * @throws IllegalArgumentException for a bad user name, empty password or mechanism list, or iterations outside
     *                                  4096..16384
     * @throws UserFileException        when the current file is broken or cannot be written
     */
    public synchronized boolean addUser(String username, char[] password, Collection<ScramMechanism> mechanisms, int iterations) {
        String problem = UserFileFormat.userNameProblem(username);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (mechanisms.isEmpty()) {
            throw new IllegalArgumentException("no mechanism given");
        }
        Map<ScramMechanism, ScramCredential> credentials = new EnumMap<>(ScramMechanism.class);
        for (ScramMechanism mechanism : mechanisms) {
            credentials.put(mechanism, ScramCredentials.generate(mechanism, password, iterations));
        }
        return edit(username, credentials);
    }

    /**
     * Removes every credential of {@code username}.
     *
     * @return whether the user existed
     */
    public synchronized boolean removeUser(String username) {
        return !edit(username, Map.of());
    }

    /** Rewrites the current file with {@code username}'s lines replaced by {@code credentials}; true when it was new. */
    private boolean edit(String username, Map<ScramMechanism, ScramCredential> credentials) {
        boolean exists = Files.exists(file);
        List<String> lines = exists ? readLines(file) : HEADER;
        List<UserFileFormat.Entry> entries = UserFileFormat.parse(file.toString(), lines);
        Set<Integer> replaced = new HashSet<>();
        for (UserFileFormat.Entry e : entries) {
            if (e.user().equals(username)) {
                replaced.add(e.index());
            }
        }
        if (replaced.isEmpty() && credentials.isEmpty()) {
            return true;
        }
        List<String> updated = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!replaced.contains(i)) {
                updated.add(lines.get(i));
            }
        }
        credentials.forEach((mechanism, credential) -> updated.add(UserFileFormat.line(username, mechanism, credential)));
        write(updated);
        users = snapshot(UserFileFormat.parse(file.toString(), updated));
        lastSeen = Stamp.of(file);
        return replaced.isEmpty();
    }

    /** Writes a temporary file (0600) next to the target, forces it to disk and moves it over the target. */
    private void write(List<String> lines) {
        Path dir = file.toAbsolutePath().getParent();
        byte[] content = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        Path tmp = null;
        try {
            boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
            FileAttribute<?>[] attributes = posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                    : new FileAttribute<?>[0];
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", attributes);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            if (posix) {
                Files.setPosixFilePermissions(tmp, OWNER_ONLY);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (NoSuchFileException e) {
            throw new UserFileException(file + ": cannot write: the directory " + dir + " does not exist", e);
        } catch (IOException e) {
            throw new UserFileException(file + ": cannot write: " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    LOG.warn("event=users_tmp_not_deleted file=\"{}\" reason=\"{}\"", tmp, e.getMessage());
                }
            }
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new UserFileException(file + ": not valid UTF-8 text", e);
        } catch (NoSuchFileException e) {
            throw new UserFileException(file + ": no such file", e);
        } catch (IOException e) {
            throw new UserFileException(file + ": cannot read: " + e, e);
        }
    }

    private static Map<String, Map<ScramMechanism, ScramCredential>> snapshot(List<UserFileFormat.Entry> entries) {
        Map<String, Map<ScramMechanism, ScramCredential>> byUser = new TreeMap<>();
        for (UserFileFormat.Entry e : entries) {
            byUser.computeIfAbsent(e.user(), u -> new EnumMap<>(ScramMechanism.class)).put(e.mechanism(), e.credential());
        }
        Map<String, Map<ScramMechanism, ScramCredential>> frozen = new TreeMap<>();
        byUser.forEach((user, credentials) -> frozen.put(user, Collections.unmodifiableMap(credentials)));
        return Collections.unmodifiableMap(frozen);
    }

    /** What identifies a version of the file without reading it: modification time, size and inode. */
    private record Stamp(FileTime modified, long size, Object fileKey) {

        static Stamp of(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
            } catch (IOException e) {
                return null;
            }
        }
    }
}
