package io.warden.certs;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.encoders.DecoderException;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * PEM and PKCS#12 files. Private keys and keystores are created with owner-only permissions (0600) before any
 * byte is written; nothing is overwritten unless asked to.
 */
public final class CertificateFiles {

    private CertificateFiles() {
    }

    public static void writeCertificates(Path file, List<X509Certificate> certificates, boolean force) {
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
            for (X509Certificate c : certificates) {
                w.writeObject(c);
            }
        } catch (IOException e) {
            throw new CertsException(file + ": cannot encode certificates: " + e.getMessage(), e);
        }
        write(file, pem.toString().getBytes(StandardCharsets.US_ASCII), false, force);
    }

    public static void writePrivateKey(Path file, PrivateKey key, boolean force) {
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
            w.writeObject(new JcaPKCS8Generator(key, null)); // unencrypted PKCS#8: "BEGIN PRIVATE KEY"
        } catch (IOException e) {
            throw new CertsException(file + ": cannot encode the private key", e);
        }
        write(file, pem.toString().getBytes(StandardCharsets.US_ASCII), true, force);
    }

    /** A PKCS#12 keystore holding the key and its chain under {@code alias}. */
    public static void writePkcs12(Path file, String alias, IssuedCertificate issued, char[] password, boolean force) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(alias, issued.privateKey(), password, issued.chain().toArray(Certificate[]::new));
            var out = new java.io.ByteArrayOutputStream();
            ks.store(out, password);
            write(file, out.toByteArray(), true, force);
        } catch (GeneralSecurityException | IOException e) {
            throw new CertsException(file + ": cannot write the PKCS#12 keystore: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a set of files to be written together when one of them exists already, before any is written: a
     * command stopped half-way would leave a new key beside an old certificate.
     */
    public static void requireAbsent(List<Path> files) {
        for (Path file : files) {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                throw alreadyExists(file);
            }
        }
    }

    private static CertsException alreadyExists(Path file) {
        return new CertsException(file + ": already exists; use --force to replace it");
    }

    public static List<X509Certificate> readCertificates(Path file) {
        List<X509Certificate> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object o; (o = parser.readObject()) != null; ) {
                if (o instanceof X509CertificateHolder h) {
                    out.add(converter.getCertificate(h));
                }
            }
        } catch (NoSuchFileException e) {
            throw new CertsException(file + ": file not found");
        } catch (IOException | GeneralSecurityException e) {
            throw new CertsException(file + ": not a readable PEM certificate file: " + e.getMessage());
        } catch (DecoderException e) {
            throw new CertsException(file + ": not a readable PEM certificate file: invalid base64");
        }
        if (out.isEmpty()) {
            throw new CertsException(file + ": contains no PEM certificate");
        }
        return out;
    }

    public static PrivateKey readPrivateKey(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o; (o = parser.readObject()) != null; ) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) { // "EC/RSA PRIVATE KEY" files written by other tools
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
            }
        } catch (NoSuchFileException e) {
            throw new CertsException(file + ": file not found");
        } catch (IOException e) {
            // The parser's message could quote file content; say only what kind of problem it is.
            throw new CertsException(file + ": not a readable PEM private key (encrypted keys are not supported)");
        } catch (DecoderException e) {
            // BouncyCastle's PEM reader reports bad base64 with an unchecked exception.
            throw new CertsException(file + ": not a readable PEM private key: invalid base64");
        }
        throw new CertsException(file + ": contains no PEM private key");
    }

    private static void write(Path file, byte[] content, boolean secret, boolean force) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            try {
                Files.createDirectories(parent);
            } catch (FileAlreadyExistsException e) {
                throw new CertsException(e.getFile() + ": not a directory, so " + file + " cannot be written there", e);
            } catch (IOException e) {
                throw new CertsException(parent + ": cannot create the directory: " + reason(e), e);
            }
        }
        try {
            if (force) {
                Files.deleteIfExists(file);
            }
            // One open creates and writes the file: nothing can be swapped in between (a symlink to elsewhere, say).
            // CREATE_NEW never follows a symlink at the path; NOFOLLOW_LINKS says so too where it is supported.
            Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            FileAttribute<?>[] attributes = secret && file.getFileSystem().supportedFileAttributeViews().contains("posix")
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE))}
                    : new FileAttribute<?>[0];
            try (SeekableByteChannel out = Files.newByteChannel(file, options, attributes)) {
                ByteBuffer bytes = ByteBuffer.wrap(content);
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
            }
        } catch (FileAlreadyExistsException e) {
            throw alreadyExists(file);
        } catch (IOException e) {
            throw new CertsException(file + ": cannot write: " + reason(e), e);
        }
    }

    /** What went wrong, in words: the JDK's messages for file errors are often just the path again. */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
