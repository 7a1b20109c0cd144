package io.warden.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * The embedded default sink: JSON lines in rotating segment files that form one hash chain (each line carries its
 * {@code seq} and the SHA-256 of the line before it, across segments), each closed segment sealed by a signed
 * {@link SegmentDigest}. {@link #flush()} forces the data to disk, which is what fail-closed auditing waits for; at
 * most once per {@link FileSinkConfig#checkpointInterval()} it then also signs a checkpoint of the open segment's
 * forced lines, so that until the segment is sealed only the lines after that checkpoint rely on the unkeyed hash
 * chain alone.
 * <p>
 * On start it continues the chain of the directory it finds; a last segment left unsealed by an unclean stop is
 * sealed then, marked {@code recovered}, with any partial last line left in place but outside the sealed bytes —
 * unless it no longer holds the lines its checkpoint signed, which stops the start: sealing it would vouch for
 * altered records.
 */
public final class FileSink implements AuditSink {

    private static final Logger LOG = LoggerFactory.getLogger(FileSink.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileSinkConfig config;
    private final PrivateKey key;
    private final Clock clock;
    private final LineBuffer buffer = new LineBuffer();
    /** The hash chain's digest, reused: the sink is written by one thread at a time. */
    private final MessageDigest sha256 = HashChain.sha256();

    private long nextIndex;
    private long seq;
    private String prev;
    private OpenSegment current;
    private boolean broken;
    /** Holds the directory's lock ({@link Segments#lock}) until the sink is closed. */
    private final FileChannel lock;

    /** The segment being written. */
    private static final class OpenSegment {
        final Path path;
        final FileChannel channel;
        final long firstSeq;
        final String startPrev;
        final Instant openedAt;
        long lines;
        long bytes;
        /** Lines the last checkpoint signed, and when it was signed (or tried). */
        long checkpointedLines;
        Instant checkpointedAt;

        OpenSegment(Path path, FileChannel channel, long firstSeq, String startPrev, Instant openedAt) {
            this.path = path;
            this.channel = channel;
            this.firstSeq = firstSeq;
            this.startPrev = startPrev;
            this.openedAt = openedAt;
            this.checkpointedAt = openedAt;
        }
    }

    public FileSink(FileSinkConfig config) throws IOException {
        this(config, Clock.systemUTC());
    }

    /** @param clock decides time rotation and the digests' {@code closed_at} */
    public FileSink(FileSinkConfig config, Clock clock) throws IOException {
        this.config = config;
        this.clock = clock;
        try {
            this.key = PemKeys.readPrivateKey(config.signingKeyPem());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the audit signing key " + config.signingKeyPem() + ": " + e.getMessage(), e);
        }
        Files.createDirectories(config.directory());
        lock = Segments.lock(config.directory());
        try {
            resume();
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    @Override
    public void write(List<EncodedEvent> batch) throws IOException {
        if (broken) {
            throw new IOException("audit file sink is broken after an earlier failure; restart to recover");
        }
        if (batch.isEmpty()) {
            return;
        }
        Snapshot saved = snapshot();
        try {
            if (current != null && current.lines > 0 && ageDue()) {
                rotate();
                saved = snapshot();
            }
            for (EncodedEvent e : batch) {
                byte[] line = HashChain.chainLine(seq + 1, prev, e.json());
                if (current != null && current.lines > 0 && current.bytes + line.length + 1 > config.maxSegmentBytes()) {
                    drainBuffer();
                    rotate();
                    saved = snapshot();
                }
                if (current == null) {
                    open();
                }
                buffer.write(line, 0, line.length);
                buffer.write('\n');
                seq++;
                prev = HashChain.hash(sha256, line, 0, line.length);
                current.lines++;
                current.bytes += line.length + 1;
            }
            drainBuffer();
        } catch (IOException | RuntimeException e) {
            undo(saved);
            throw e;
        }
    }

    /** The chain and segment position to return to when a batch fails. */
    private record Snapshot(long seq, String prev, long lines, long bytes) {
    }

    private Snapshot snapshot() {
        return current == null ? new Snapshot(seq, prev, 0, 0) : new Snapshot(seq, prev, current.lines, current.bytes);
    }

    @Override
    public void flush() throws IOException {
        if (current == null) {
            return;
        }
        try {
            current.channel.force(false);
        } catch (IOException e) {
            // The kernel reports a failed write-back once: a later force could succeed with these lines lost, so
            // nothing more is written (fail-closed refuses) until a restart recovers the segment.
            broken = true;
            LOG.error("audit file sink broken segment={} reason={}", current.path.getFileName(), e.toString());
            throw e;
        }
        if (current.lines > 0 && ageDue()) {
            rotate();
        } else if (checkpointDue()) {
            checkpoint();
        }
    }

    /** Signs the checkpoint of lines a last flush forced before it was due, so they do not wait for more traffic. */
    @Override
    public void idle() {
        if (current != null && !broken && checkpointDue()) {
            checkpoint();
        }
    }

    @Override
    public void close() throws IOException {
        try (FileChannel held = lock) {
            if (current != null) {
                rotate();
            }
        }
    }

    /**
     * Stops as a killed process stops, for tests of what such a stop leaves: the directory's lock released, the open
     * segment as it stands, without a digest.
     */
    void kill() throws IOException {
        lock.close();
    }

    /** The seq of the last line written. */
    public long lastSeq() {
        return seq;
    }

    /** The segment being written, or null between segments. */
    public Path currentSegment() {
        return current == null ? null : current.path;
    }

    private boolean ageDue() {
        return config.maxSegmentAge() != null
                && !clock.instant().isBefore(current.openedAt.plus(config.maxSegmentAge()));
    }

    private boolean checkpointDue() {
        return config.checkpointInterval() != null && current.lines > current.checkpointedLines
                && !clock.instant().isBefore(current.checkpointedAt.plus(config.checkpointInterval()));
    }

    /**
     * Signs a checkpoint of the open segment's lines, all forced by the caller. A checkpoint that cannot be written
     * loses no event, so it is logged and tried again after another interval rather than failing the flush.
     */
    private void checkpoint() {
        OpenSegment s = current;
        s.checkpointedAt = clock.instant();
        try {
            SegmentDigest c = SegmentDigest.checkpoint(s.path.getFileName().toString(), s.lines, s.firstSeq, seq,
                    s.startPrev, prev, s.bytes, clock.millis(), key);
            writeAtomically(Segments.checkpointOf(s.path), c.toJson());
            s.checkpointedLines = s.lines;
            LOG.info("audit segment checkpointed segment={} lines={} lastSeq={} lastHash={}",
                    s.path.getFileName(), s.lines, seq, prev);
        } catch (IOException | GeneralSecurityException e) {
            LOG.error("audit checkpoint not written segment={} reason={}", s.path.getFileName(), e.toString());
        }
    }

    private void open() throws IOException {
        Path path = config.directory().resolve(Segments.name(nextIndex++));
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        // The new file's directory entry is made durable too, or a forced event could vanish with the whole file.
        forceDirectory();
        current = new OpenSegment(path, ch, seq + 1, prev, clock.instant());
        LOG.info("audit segment opened segment={} firstSeq={}", path.getFileName(), seq + 1);
    }

    private void drainBuffer() throws IOException {
        if (buffer.size() == 0) {
            return;
        }
        ByteBuffer b = buffer.contents();
        while (b.hasRemaining()) {
            current.channel.write(b);
        }
        buffer.reset();
    }

    /** A batch's lines, handed to the channel without copying them out first. */
    private static final class LineBuffer extends ByteArrayOutputStream {
        LineBuffer() {
            super(64 * 1024);
        }

        ByteBuffer contents() {
            return ByteBuffer.wrap(buf, 0, count);
        }
    }

    /** Seals and closes the current segment; the next write opens a new one. */
    private void rotate() throws IOException {
        OpenSegment s = current;
        current = null;
        try {
            s.channel.force(true);
            s.channel.close();
            seal(s.path, s.lines, s.firstSeq, seq, s.startPrev, prev, s.bytes, false);
        } catch (IOException e) {
            broken = true;
            LOG.error("audit segment not sealed segment={} reason={}", s.path.getFileName(), e.toString());
            throw e;
        }
        try {
            Files.deleteIfExists(Segments.checkpointOf(s.path)); // the seal says all the checkpoint said, and more
        } catch (IOException e) {
            LOG.warn("audit checkpoint of a sealed segment not removed segment={} reason={}", s.path.getFileName(), e.toString());
        }
    }

    private void seal(Path segment, long lines, long firstSeq, long lastSeq, String startPrev, String lastHash,
                      long validBytes, boolean recovered) throws IOException {
        SegmentDigest d;
        try {
            d = SegmentDigest.sign(segment.getFileName().toString(), lines, firstSeq, lastSeq, startPrev, lastHash,
                    validBytes, recovered, clock.millis(), key);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot sign the digest of " + segment + ": " + e.getMessage(), e);
        }
        writeAtomically(Segments.digestOf(segment), d.toJson());
        // The chain's head, in the log too: a copy outside the directory, should whole segments be removed from its end.
        LOG.info("audit segment sealed segment={} lines={} lastSeq={} lastHash={} recovered={}",
                segment.getFileName(), lines, lastSeq, lastHash, recovered);
    }

    /** Replaces {@code file} with {@code content} durably: whole or not at all, also after a crash. */
    private void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory();
    }

    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(config.directory(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            LOG.debug("audit directory not forced dir={} reason={}", config.directory(), e.toString());
        }
    }

    /** Puts the chain and the segment file back as they were before a failed batch. */
    private void undo(Snapshot saved) {
        buffer.reset();
        seq = saved.seq();
        prev = saved.prev();
        if (current == null) {
            return;
        }
        current.lines = saved.lines();
        current.bytes = saved.bytes();
        try {
            current.channel.truncate(saved.bytes());
            current.channel.position(saved.bytes());
        } catch (IOException e) {
            broken = true;
            LOG.error("audit file sink broken segment={} reason={}", current.path.getFileName(), e.toString());
        }
    }

    /** Continues the chain found in the directory, sealing a segment left open by an unclean stop. */
    private void resume() throws IOException {
        List<Path> segments = Segments.list(config.directory());
        seq = 0;
        prev = HashChain.GENESIS;
        nextIndex = 1;
        if (segments.isEmpty()) {
            return;
        }
        Path last = segments.get(segments.size() - 1);
        nextIndex = Segments.index(last) + 1;
        Path digest = Segments.digestOf(last);
        if (Files.exists(digest)) {
            SegmentDigest d = readDigest(digest);
            seq = d.lastSeq();
            prev = d.lastHash();
            return;
        }
        if (segments.size() > 1) {
            Path before = Segments.digestOf(segments.get(segments.size() - 2));
            if (Files.exists(before)) {
                SegmentDigest d = readDigest(before);
                seq = d.lastSeq();
                prev = d.lastHash();
            }
        }
        recover(last);
    }

    /** A digest or checkpoint the chain resumes from; one that cannot be read stops the start, naming the file. */
    private static SegmentDigest readDigest(Path file) throws IOException {
        try {
            return SegmentDigest.parse(Files.readString(file));
        } catch (IOException e) {
            throw new IOException("cannot resume the audit chain: " + file + " is unreadable (" + e.getMessage()
                    + "); check the directory with 'warden audit verify'", e);
        }
    }

    private void recover(Path segment) throws IOException {
        Path checkpointFile = Segments.checkpointOf(segment);
        SegmentDigest checkpoint = Files.exists(checkpointFile) ? readDigest(checkpointFile) : null;
        boolean checkpointHeld = checkpoint == null;
        byte[] bytes = Files.readAllBytes(segment);
        long firstSeq = seq + 1;
        String startPrev = prev;
        long lines = 0;
        int start = 0;
        int validBytes = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            JsonNode line = JSON.readTree(new String(bytes, start, i - start, StandardCharsets.UTF_8));
            long lineSeq = line == null || line.get("seq") == null ? -1 : line.get("seq").asLong(-1);
            if (lineSeq < 0) {
                throw new IOException("cannot resume the audit chain: line " + (lines + 1) + " of " + segment
                        + " has no seq");
            }
            if (lines == 0) {
                firstSeq = lineSeq;
                startPrev = line.path("prev").asText(prev);
            }
            seq = lineSeq;
            prev = HashChain.hash(bytes, start, i - start);
            lines++;
            start = i + 1;
            validBytes = i + 1;
            if (checkpoint != null && lines == checkpoint.lines()) {
                checkpointHeld = seq == checkpoint.lastSeq() && prev.equals(checkpoint.lastHash());
            }
        }
        if (!checkpointHeld) {
            throw new IOException("cannot resume the audit chain: " + segment + " no longer holds the records up to seq "
                    + checkpoint.lastSeq() + " that its signed checkpoint covers (altered or cut short since); check the"
                    + " directory with 'warden audit verify' and start a new trail in another directory");
        }
        LOG.warn("audit segment left unsealed by an unclean stop, sealing it segment={} lines={} partialBytes={}",
                segment.getFileName(), lines, bytes.length - validBytes);
        seal(segment, lines, firstSeq, seq, startPrev, prev, validBytes, true);
    }
}
