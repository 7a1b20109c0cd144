package io.warden.authn.oauth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;

/**
 * A JWKS kept in a local file, for identity providers whose keys are distributed out of band. The file is checked at
 * most once per minimum interval and re-read only when its modification time or size changed, so key rotation takes
 * effect without a restart while a flood of tokens costs no more than one {@code stat} per interval. A file that
 * fails to read or parse keeps the previous keys in use. Only public asymmetric keys are kept: secret (oct) keys and
 * private parts are dropped on load.
 */
final class FileJwkSource implements JWKSource<SecurityContext> {

    private static final Logger LOG = LoggerFactory.getLogger(FileJwkSource.class);
    private static final long MAX_FILE_BYTES = 1024 * 1024;

    private final Path file;
    private final long minCheckIntervalNanos;
    private JWKSet keys;
    private Stamp loaded;
    private long lastCheckNanos;

    /** @throws IllegalArgumentException when the file cannot be read or is not a JWKS */
    FileJwkSource(Path file, Duration minCheckInterval) {
        this.file = file;
        this.minCheckIntervalNanos = minCheckInterval.toNanos();
        try {
            Stamp stamp = Stamp.of(file);
            this.keys = read(file, stamp);
            this.loaded = stamp;
        } catch (IOException | ParseException e) {
            throw new IllegalArgumentException("cannot load the JWKS file " + file + ": " + e.getMessage(), e);
        }
        this.lastCheckNanos = System.nanoTime();
        LOG.info("jwks_file_loaded path={} keys={}", file, keys.size());
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        return selector.select(current());
    }

    private synchronized JWKSet current() {
        long now = System.nanoTime();
        if (now - lastCheckNanos >= minCheckIntervalNanos) {
            lastCheckNanos = now;
            reloadIfChanged();
        }
        return keys;
    }

    private void reloadIfChanged() {
        try {
            Stamp stamp = Stamp.of(file);
            if (stamp.equals(loaded)) {
                return;
            }
            keys = read(file, stamp);
            loaded = stamp;
            LOG.info("jwks_file_reloaded path={} keys={}", file, keys.size());
        } catch (IOException | ParseException e) {
            LOG.warn("jwks_file_reload_failed path={} reason=\"{}\" keeping_keys={}", file, e.getMessage(), keys.size());
        }
    }

    private static JWKSet read(Path file, Stamp stamp) throws IOException, ParseException {
        if (stamp.size > MAX_FILE_BYTES) {
            throw new IOException("file is larger than " + MAX_FILE_BYTES + " bytes");
        }
        return JWKSet.parse(Files.readString(file, StandardCharsets.UTF_8)).toPublicJWKSet();
    }

    /** What identifies one version of the file without reading it. */
    private record Stamp(FileTime modified, long size, Object fileKey) {
        static Stamp of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
        }
    }
}
