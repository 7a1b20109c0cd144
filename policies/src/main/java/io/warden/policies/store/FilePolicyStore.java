package io.warden.policies.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warden.policies.FileFingerprint;
import io.warden.policies.LogText;
import io.warden.policies.PolicyDocument;
import io.warden.policies.PolicyException;
import io.warden.policies.PolicyParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The embedded policy store: the policy YAML file the gateway has always read, with every version kept beside it in
 * {@code <file>.history/}.
 *
 * <pre>
 * policy.yaml                      the policy in force: the newest version's YAML (or an operator's hand edit)
 * policy.yaml.history/00000001.yaml
 * policy.yaml.history/00000002.yaml
 * policy.yaml.history/.lock        taken while a version is written
 * </pre>
 *
 * Each history file is one version: a first line {@code # warden-policy-version {"version":2,"author":"...",
 * "time":"...","comment":"..."}} (JSON, ASCII only) followed by the version's YAML exactly as it was written, so a
 * history file is itself a valid policy file ({@code warden policies validate} reads it). Files are written whole
 * and appear atomically (a temporary file, then an atomic rename); names starting with a dot are not versions.
 *
 * <p>{@link #apply} writes the new version to the history first and then replaces the policy file with it, both
 * atomically; a failure to replace the policy file removes the version again, so nothing changes. Changes are
 * serialized: within this process by a lock per history directory, between processes by a file lock on
 * {@code .lock} (where the file system supports locks), so several stores may share one file and each sees the
 * others' versions at its next check.
 *
 * <p>Hand edits: every poll interval the store looks for versions written by other stores and for a change of the
 * policy file (its {@link FileFingerprint}). A changed file that parses and grants something different from the
 * current version becomes a new version with author {@value #FILE_AUTHOR}; one that grants the same (a comment, a
 * reordering) is left as it is and makes no version; one that does not parse is logged once
 * ({@code event=policy_rejected}) and the last good version stays in force, as with {@code PolicyFileWatcher}. An
 * {@link #apply} looks at the file first, so a hand edit is never overwritten unseen: it becomes a version, and a
 * change made against the version before it conflicts.
 *
 * <p>At start: without history, the file becomes version 1 (a file that is missing or does not parse fails the
 * start with {@link PolicyException}); with history, a file that grants something other than the newest version
 * becomes the next version, a broken file is logged and ignored, and a missing file is written from the newest
 * version.
 *
 * <p>Threading: listeners are called on the polling thread or on the thread of {@link #apply} or {@link #refresh},
 * one version at a time, in order, and never after {@link #close()} has returned.
 */
public final class FilePolicyStore extends AbstractPolicyStore {

    /** How often the policy file and the history are checked, unless told otherwise. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
    /** The author of a version that came from an edit of the policy file. */
    public static final String FILE_AUTHOR = "file";

    private static final Logger LOG = LoggerFactory.getLogger(FilePolicyStore.class);
    private static final String HEADER = "# warden-policy-version ";
    private static final Pattern VERSION_FILE = Pattern.compile("(\\d+)\\.yaml");
    private static final ConcurrentHashMap<Path, ReentrantLock> DIRECTORY_LOCKS = new ConcurrentHashMap<>();
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private final Path file;
    private final Path historyDir;
    private final ReentrantLock directoryLock;
    /** Orders this store's state changes and listener calls. */
    private final ReentrantLock lock = new ReentrantLock();
    private final ScheduledExecutorService poller;
    private final String threadName;
    /** The policy file as last looked at; guarded by {@link #lock}. */
    private FileFingerprint lastSeen;
    private volatile boolean closed;

    /** A store on {@code file} that checks it every {@link #DEFAULT_POLL_INTERVAL}. */
    public FilePolicyStore(Path file) {
        this(file, DEFAULT_POLL_INTERVAL);
    }

    /**
     * Opens the store: reads the history (creating the directory if needed), takes the file as version 1 or as a
     * new version where it says so above, and starts checking every {@code pollInterval}.
     *
     * @throws PolicyException      without history, when the file is missing or does not parse
     * @throws PolicyStoreException when the history cannot be read or written
     */
    public FilePolicyStore(Path file, Duration pollInterval) {
        super(Objects.requireNonNull(file, "file").toString());
        this.file = file;
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, was " + pollInterval);
        }
        this.historyDir = historyDirectory(file);
        try {
            Files.createDirectories(historyDir);
        } catch (IOException e) {
            throw new PolicyStoreException("cannot create the policy history directory " + historyDir + ": " + e, e);
        }
        this.directoryLock = DIRECTORY_LOCKS.computeIfAbsent(historyDir.toAbsolutePath().normalize(),
                d -> new ReentrantLock());
        lock.lock();
        try {
            withDirectoryLock(this::open);
        } finally {
            lock.unlock();
        }
        this.threadName = "warden-policy-store-" + THREADS.incrementAndGet();
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        long millis = pollInterval.toMillis();
        poller.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Where the versions of {@code file} are kept: {@code <file>.history} beside it. */
    public static Path historyDirectory(Path file) {
        return file.resolveSibling(file.getFileName() + ".history");
    }

    /** The policy file. */
    public Path file() {
        return file;
    }

    @Override
    public PolicyVersion apply(PolicyDocument document, long expectedVersion, String author, String comment)
            throws PolicyConflictException {
        String yaml = VersionHistory.yamlOf(document);
        List<PolicyVersion> added = new ArrayList<>();
        lock.lock();
        try {
            ensureOpen();
            return withDirectoryLock(() -> {
                catchUp(added);
                long current = versions.currentNumber();
                if (expectedVersion != ANY_VERSION && expectedVersion != current) {
                    throw new PolicyConflictException(expectedVersion, current);
                }
                PolicyVersion v = version(current + 1, yaml, author, now(), comment);
                writeVersion(v);
                added.add(v);
                return v;
            });
        } finally {
            try {
                added.forEach(versions::tell);
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Looks at once for versions written by other stores and for a hand edit of the policy file, on the calling
     * thread (an admin "reload"); listeners are told before this returns.
     *
     * @return the current version afterwards
     */
    public PolicyVersion refresh() {
        lock.lock();
        try {
            ensureOpen();
            check();
            return versions.current();
        } finally {
            lock.unlock();
        }
    }

    /** Stops checking; waits for a check in progress, so no listener is called after this returns. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        poller.shutdownNow();
    }

    /** The name of the polling thread, gone once the store is closed. */
    String threadName() {
        return threadName;
    }

    private void poll() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            check();
        } catch (RuntimeException e) {
            LOG.error("event=policy_check_failed file={} reason=\"{}\"", file, LogText.quote(String.valueOf(e)), e);
        } finally {
            lock.unlock();
        }
    }

    /** Catches up under the directory lock, then tells the listeners what it found, even if it failed half-way. */
    private void check() {
        List<PolicyVersion> added = new ArrayList<>();
        try {
            withDirectoryLock(() -> catchUp(added));
        } finally {
            added.forEach(versions::tell);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the policy store is closed: " + file);
        }
    }

    /** At start, under both locks: the history, then the file as version 1 or as a new version. */
    private Void open() {
        long next = 1;
        while (Files.exists(versionFile(next))) {
            versions.append(readVersion(next));
            next++;
        }
        checkNoGap(next);
        lastSeen = FileFingerprint.of(file);
        if (versions.currentNumber() == 0) {
            String text = PolicyParser.read(file);
            PolicyParser.parse(file.toString(), text);
            addFileVersion(version(1, text, FILE_AUTHOR, now(), "the policy file when the store was created"));
        } else if (lastSeen == null) {
            PolicyVersion last = versions.current();
            LOG.warn("event=policy_file_restored file={} version={} reason=\"the policy file is missing\"", file,
                    last.version());
            writeAtomically(file, last.yaml());
            lastSeen = FileFingerprint.of(file);
        } else {
            fileEdit("the policy file differs from the newest version at start").ifPresent(this::addFileVersion);
        }
        return null;
    }

    /**
     * Under both locks: the versions other stores wrote since, then a hand edit of the file; each is added to
     * {@code added} as soon as it is this store's, in order.
     */
    private Void catchUp(List<PolicyVersion> added) {
        for (long next = versions.currentNumber() + 1; Files.exists(versionFile(next)); next++) {
            PolicyVersion v = readVersion(next);
            versions.append(v);
            versions.logApplied(v);
            added.add(v);
        }
        FileFingerprint seen = FileFingerprint.of(file);
        if (!Objects.equals(seen, lastSeen)) {
            lastSeen = seen;
            fileEdit("edited by hand").ifPresent(v -> {
                addFileVersion(v);
                added.add(v);
            });
        }
        return null;
    }

    /** A version taken from the policy file: into the history, then this store's. */
    private void addFileVersion(PolicyVersion v) {
        publish(v);
        versions.append(v);
        versions.logApplied(v);
    }

    /** The policy file as the next version, if it parses and grants something other than the current version. */
    private Optional<PolicyVersion> fileEdit(String comment) {
        String text;
        PolicyDocument doc;
        try {
            text = PolicyParser.read(file);
            doc = PolicyParser.parse(file.toString(), text);
        } catch (PolicyException e) {
            LOG.warn("event=policy_rejected file={} reason=\"{}\" action=\"keeping the last good policy\"", file,
                    LogText.quote(e.getMessage()));
            return Optional.empty();
        }
        if (doc.sameRulesAs(versions.current().document())) {
            return Optional.empty();
        }
        return Optional.of(version(versions.currentNumber() + 1, text, FILE_AUTHOR, now(), comment));
    }

    /** A version as every store on this file reads it: the document parsed from its history file's name. */
    private PolicyVersion version(long number, String yaml, String author, Instant time, String comment) {
        String source = historyDir.getFileName() + "/" + versionFile(number).getFileName();
        return new PolicyVersion(number, yaml, PolicyParser.parse(source, yaml), author, time, comment);
    }

    /** An applied change: the history, then the policy file; if the policy file cannot be replaced, no version. */
    private void writeVersion(PolicyVersion v) {
        Path temp = prepare(file, v.yaml());
        try {
            publish(v);
            try {
                moveOver(temp, file);
            } catch (IOException e) {
                deleteQuietly(versionFile(v.version()));
                throw new PolicyStoreException("cannot replace the policy file " + file + "; version " + v.version()
                        + " was not made: " + e, e);
            }
        } finally {
            deleteQuietly(temp);
        }
        syncDirectory(file.toAbsolutePath().getParent());
        lastSeen = FileFingerprint.of(file);
        versions.append(v);
        versions.logApplied(v);
    }

    /** Writes the version's history file; it appears whole or not at all, and never over an existing one. */
    private void publish(PolicyVersion v) {
        Path target = versionFile(v.version());
        if (Files.exists(target)) {
            throw new PolicyStoreException("version " + v.version() + " already exists in " + historyDir
                    + ": another process wrote it without taking " + historyDir.resolve(".lock"));
        }
        ObjectNode meta = JSON.createObjectNode()
                .put("version", v.version())
                .put("author", v.author())
                .put("time", v.time().toString())
                .put("comment", v.comment());
        String header;
        try {
            header = HEADER + JSON.writeValueAsString(meta) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write version metadata as JSON", e);
        }
        writeAtomically(target, header + v.yaml());
    }

    private PolicyVersion readVersion(long number) {
        Path path = versionFile(number);
        String content;
        try {
            content = PolicyParser.read(path);
        } catch (PolicyException e) {
            throw new PolicyStoreException("cannot read policy version " + number + ": " + e.getMessage(), e);
        }
        int newline = content.indexOf('\n');
        if (!content.startsWith(HEADER) || newline < 0) {
            throw unreadable(path, "the first line is not '" + HEADER.strip() + " {...}'", null);
        }
        JsonNode meta;
        try {
            meta = JSON.readTree(content.substring(HEADER.length(), newline));
        } catch (JsonProcessingException e) {
            throw unreadable(path, "the first line is not JSON: " + e.getOriginalMessage(), e);
        }
        if (meta.path("version").asLong() != number) {
            throw unreadable(path, "it says it is version " + meta.path("version"), null);
        }
        try {
            return version(number, content.substring(newline + 1), meta.path("author").asText(),
                    Instant.parse(meta.path("time").asText()), meta.path("comment").asText());
        } catch (DateTimeParseException | PolicyException e) {
            throw unreadable(path, e.getMessage(), e);
        }
    }

    private static PolicyStoreException unreadable(Path path, String reason, Throwable cause) {
        return new PolicyStoreException(path + ": not a readable policy version: " + reason, cause);
    }

    /** A version file after a missing one would be lost silently; refuse to start instead. */
    private void checkNoGap(long missing) {
        try (Stream<Path> files = Files.list(historyDir)) {
            Optional<Long> after = files.map(f -> VERSION_FILE.matcher(f.getFileName().toString()))
                    .filter(Matcher::matches).map(m -> Long.parseLong(m.group(1))).filter(n -> n > missing).findAny();
            if (after.isPresent()) {
                throw new PolicyStoreException(historyDir + ": version " + missing + " is missing but version "
                        + after.get() + " exists");
            }
        } catch (IOException e) {
            throw new PolicyStoreException("cannot list " + historyDir + ": " + e, e);
        }
    }

    private Path versionFile(long number) {
        return historyDir.resolve(String.format("%08d.yaml", number));
    }

    /** Replaces {@code target} with a file holding {@code text}, atomically where the file system can. */
    private static void writeAtomically(Path target, String text) {
        Path temp = prepare(target, text);
        try {
            moveOver(temp, target);
        } catch (IOException e) {
            throw new PolicyStoreException("cannot write " + target + ": " + e, e);
        } finally {
            deleteQuietly(temp);
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** A temporary file beside {@code target} with {@code text}, on disk, with the permissions of the target. */
    private static Path prepare(Path target, String text) {
        Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new PolicyStoreException("cannot write " + temp + ": " + e, e);
        }
        try {
            if (Files.exists(target)) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(target);
                Files.setPosixFilePermissions(temp, permissions);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Not a POSIX file system, or not ours to change: the file keeps the default permissions.
        }
        return temp;
    }

    /** Renames {@code temp} over {@code target}, atomically where the file system can. */
    private static void moveOver(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes a rename in {@code dir} durable, where the platform lets a directory be synced. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some platforms cannot open or sync a directory; the rename is then as durable as they make it.
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("event=policy_temp_file_left path={} reason=\"{}\"", path, LogText.quote(String.valueOf(e)));
        }
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private interface Locked<T, E extends Exception> {
        T run() throws E;
    }

    /**
     * Runs {@code action} holding this process's lock on the history directory and the file lock on its
     * {@code .lock}. The file lock is taken and released through one channel under the process lock, so that closing
     * it cannot drop a lock another store in this process holds (POSIX locks belong to the process).
     */
    private <T, E extends Exception> T withDirectoryLock(Locked<T, E> action) throws E {
        directoryLock.lock();
        try (FileChannel ch = FileChannel.open(historyDir.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock fileLock = lockFile(ch);
            try {
                return action.run();
            } finally {
                if (fileLock != null) {
                    fileLock.release();
                }
            }
        } catch (IOException e) {
            throw new PolicyStoreException("cannot lock " + historyDir.resolve(".lock") + ": " + e, e);
        } finally {
            directoryLock.unlock();
        }
    }

    /** The file lock, or none where the file system does not support locks (one process per file then). */
    private static FileLock lockFile(FileChannel ch) throws IOException {
        try {
            return ch.lock();
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }
}
