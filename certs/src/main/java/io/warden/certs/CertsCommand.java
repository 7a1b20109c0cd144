package io.warden.certs;

import java.io.PrintStream;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code warden certs}: a small CA for Warden's listeners and clients.
 *
 * <pre>
 * warden certs init-ca      --out DIR [--cn NAME] [--days N] [--key ec|rsa] [--force]
 * warden certs issue-server --ca DIR --out DIR --name NAME (--dns NAME)... (--ip ADDR)... [--days N] [--key ec|rsa] [--p12-password-env VAR] [--force]
 * warden certs issue-client --ca DIR --out DIR --cn NAME [--ou UNIT]... [--name NAME] [--days N] [--key ec|rsa] [--p12-password-env VAR] [--force]
 * warden certs inspect FILE
 * </pre>
 *
 * Files: {@code ca.crt}/{@code ca.key}; {@code NAME.crt} (the certificate), {@code NAME.key} (its key, 0600),
 * {@code NAME-chain.crt} (certificate then CA), and with a password {@code NAME.p12}.
 */
public final class CertsCommand {

    private static final Set<String> REPEATABLE = Set.of("--dns", "--ip", "--ou");
    private static final Set<String> SWITCHES = Set.of("--force");

    private CertsCommand() {
    }

    /** Runs a subcommand; returns the exit status (0 ok, 2 usage or input error). */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            err.println(usage());
            return 2;
        }
        try {
            List<String> rest = args.subList(1, args.size());
            switch (args.get(0)) {
                case "init-ca" -> initCa(options(rest, false), out);
                case "issue-server" -> issueServer(options(rest, false), out);
                case "issue-client" -> issueClient(options(rest, false), out);
                case "inspect" -> inspect(options(rest, true), out);
                default -> throw new CertsException("unknown subcommand '" + args.get(0) + "'\n" + usage());
            }
            return 0;
        } catch (CertsException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
    }

    private static void initCa(Map<String, List<String>> o, PrintStream out) {
        allow(o, "--out", "--cn", "--days", "--key", "--force");
        Path dir = Path.of(required(o, "--out"));
        IssuedCertificate ca = CertificateIssuer.createCa(single(o, "--cn", "Warden CA"), days(o, 3650), keyType(o));
        boolean force = o.containsKey("--force");
        if (!force) {
            CertificateFiles.requireAbsent(List.of(dir.resolve("ca.key"), dir.resolve("ca.crt")));
        }
        CertificateFiles.writePrivateKey(dir.resolve("ca.key"), ca.privateKey(), force);
        CertificateFiles.writeCertificates(dir.resolve("ca.crt"), List.of(ca.certificate()), force);
        out.println("wrote " + dir.resolve("ca.crt") + " and " + dir.resolve("ca.key") + " (0600)");
        out.print(CertificateInspector.describe(ca.certificate()));
    }

    private static void issueServer(Map<String, List<String>> o, PrintStream out) {
        allow(o, "--ca", "--out", "--name", "--dns", "--ip", "--days", "--key", "--p12-password-env", "--force");
        IssuedCertificate ca = loadCa(Path.of(required(o, "--ca")));
        String name = required(o, "--name");
        Duration validity = leafValidity(o, ca);
        IssuedCertificate issued = CertificateIssuer.issueServer(ca, name, o.getOrDefault("--dns", List.of()),
                o.getOrDefault("--ip", List.of()), validity, keyType(o));
        save(o, name, issued, validity, out);
    }

    private static void issueClient(Map<String, List<String>> o, PrintStream out) {
        allow(o, "--ca", "--out", "--cn", "--ou", "--name", "--days", "--key", "--p12-password-env", "--force");
        IssuedCertificate ca = loadCa(Path.of(required(o, "--ca")));
        String cn = required(o, "--cn");
        Duration validity = leafValidity(o, ca);
        IssuedCertificate issued = CertificateIssuer.issueClient(ca, cn, o.getOrDefault("--ou", List.of()), validity, keyType(o));
        save(o, single(o, "--name", cn), issued, validity, out);
    }

    private static void inspect(Map<String, List<String>> o, PrintStream out) {
        List<String> files = o.getOrDefault("", List.of());
        if (files.size() != 1 || o.size() != 1) {
            throw new CertsException("usage: warden certs inspect FILE");
        }
        List<X509Certificate> certs = CertificateFiles.readCertificates(Path.of(files.get(0)));
        for (int i = 0; i < certs.size(); i++) {
            if (certs.size() > 1) {
                out.println("certificate " + (i + 1) + " of " + certs.size() + ":");
            }
            out.print(CertificateInspector.describe(certs.get(i)));
        }
    }

    /**
     * --days for a certificate the CA issues: 825 unless given. An explicit --days beyond the CA's end is refused, as
     * such a certificate would fail every handshake once the CA expires; the default is cut short instead (see save).
     */
    private static Duration leafValidity(Map<String, List<String>> o, IssuedCertificate ca) {
        Duration validity = days(o, 825);
        Instant caEnd = ca.certificate().getNotAfter().toInstant();
        if (o.containsKey("--days") && Instant.now().plus(validity).isAfter(caEnd)) {
            long left = Duration.between(Instant.now(), caEnd).toDays();
            String fix = left < 1 ? "create a new CA with init-ca" : "give --days " + left + " or fewer, or create a new CA with init-ca";
            throw new CertsException("--days " + validity.toDays() + ": the CA certificate ends at " + caEnd + ", in "
                    + (left < 1 ? "less than a day" : left + (left == 1 ? " day" : " days")) + ", and a certificate cannot outlive its CA; " + fix);
        }
        return validity;
    }

    private static void save(Map<String, List<String>> o, String name, IssuedCertificate issued, Duration validity, PrintStream out) {
        if (!name.matches("[A-Za-z0-9._@-]+")) {
            throw new CertsException("--name '" + name + "' must be a plain file name (letters, digits, . _ @ -)");
        }
        Path dir = Path.of(required(o, "--out"));
        boolean force = o.containsKey("--force");
        String passwordVariable = single(o, "--p12-password-env", null);
        char[] password = null;
        if (passwordVariable != null) {
            String value = System.getenv(passwordVariable);
            if (value == null || value.isEmpty()) {
                throw new CertsException("--p12-password-env: " + SecretVariableNames.describe(passwordVariable) + " is not set");
            }
            password = value.toCharArray();
        }
        if (!force) {
            List<Path> files = new ArrayList<>(List.of(dir.resolve(name + ".key"), dir.resolve(name + ".crt"), dir.resolve(name + "-chain.crt")));
            if (password != null) {
                files.add(dir.resolve(name + ".p12"));
            }
            CertificateFiles.requireAbsent(files);
        }
        CertificateFiles.writePrivateKey(dir.resolve(name + ".key"), issued.privateKey(), force);
        CertificateFiles.writeCertificates(dir.resolve(name + ".crt"), List.of(issued.certificate()), force);
        CertificateFiles.writeCertificates(dir.resolve(name + "-chain.crt"), issued.chain(), force);
        out.println("wrote " + dir.resolve(name + ".crt") + ", " + dir.resolve(name + "-chain.crt") + " and "
                + dir.resolve(name + ".key") + " (0600)");
        if (password != null) {
            CertificateFiles.writePkcs12(dir.resolve(name + ".p12"), name, issued, password, force);
            Arrays.fill(password, '\0');
            out.println("wrote " + dir.resolve(name + ".p12") + " (0600)");
        }
        Instant end = issued.certificate().getNotAfter().toInstant();
        if (!end.isBefore(issued.issuers().get(0).getNotAfter().toInstant())) {
            out.println("note: valid until " + end + ", when the CA certificate ends, rather than " + validity.toDays()
                    + " days; renew the CA (init-ca) and reissue before then");
        }
        out.print(CertificateInspector.describe(issued.certificate()));
    }

    /**
     * The CA in {@code dir}, refused unless it can issue certificates that chain to it: a CA certificate, valid now,
     * with its own key (a mismatched key would sign certificates no peer can verify), EC or RSA.
     */
    private static IssuedCertificate loadCa(Path dir) {
        Path certificateFile = dir.resolve("ca.crt");
        Path keyFile = dir.resolve("ca.key");
        List<X509Certificate> certs = CertificateFiles.readCertificates(certificateFile);
        X509Certificate ca = certs.get(0);
        if (ca.getBasicConstraints() < 0) {
            throw new CertsException(certificateFile + ": '" + ca.getSubjectX500Principal().getName()
                    + "' is not a CA certificate (it may not sign others); give the directory init-ca wrote");
        }
        Instant now = Instant.now();
        if (now.isAfter(ca.getNotAfter().toInstant()) || now.isBefore(ca.getNotBefore().toInstant())) {
            throw new CertsException(certificateFile + ": the CA certificate is valid from " + ca.getNotBefore().toInstant()
                    + " to " + ca.getNotAfter().toInstant() + ", not now; create a new CA with init-ca");
        }
        PrivateKey key = CertificateFiles.readPrivateKey(keyFile);
        if (!CertificateKeys.belongTogether(key, ca)) {
            throw new CertsException(keyFile + ": not the key of the CA certificate in " + certificateFile);
        }
        if (CertificateKeys.isEdwardsCurve(key)) {
            // The JDK verifies what such a key signs, but a listener on the OpenSSL engine fails every handshake with a
            // client certificate it signed (internal_error), so the CA would issue certificates the gateway refuses.
            throw new CertsException(keyFile + ": the CA's key is " + CertificateKeys.edwardsCurve(key) + ", and client"
                    + " certificates it signs fail the handshake on a listener's OpenSSL TLS engine (the default);"
                    + " create an EC P-256 or RSA CA with init-ca");
        }
        return new IssuedCertificate(ca, key, certs.subList(1, certs.size()));
    }

    /** Options by name; bare words under "", refused unless the subcommand {@code takesWords}. */
    private static Map<String, List<String>> options(List<String> args, boolean takesWords) {
        Map<String, List<String>> o = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                if (!takesWords) {
                    // Not echoed: a stray word may be a keystore password typed on the command line by mistake.
                    throw new CertsException("unexpected argument at position " + (i + 2)
                            + " (after the subcommand, options come as --name value; a keystore password is read from"
                            + " the environment variable --p12-password-env names)");
                }
                o.computeIfAbsent("", k -> new ArrayList<>()).add(a);
            } else if (SWITCHES.contains(a)) {
                o.put(a, List.of());
            } else {
                if (i + 1 >= args.size()) {
                    throw new CertsException(a + " needs a value");
                }
                List<String> values = o.computeIfAbsent(a, k -> new ArrayList<>());
                if (!values.isEmpty() && !REPEATABLE.contains(a)) {
                    throw new CertsException(a + " given twice");
                }
                String value = args.get(++i);
                if (value.isBlank()) {
                    throw new CertsException(a + " must not be empty");
                }
                values.add(value);
            }
        }
        return o;
    }

    private static void allow(Map<String, List<String>> o, String... names) {
        Set<String> allowed = Set.of(names);
        for (String key : o.keySet()) {
            if (!allowed.contains(key)) {
                throw new CertsException("unknown option " + key + "; expected one of " + Arrays.toString(names));
            }
        }
    }

    private static String required(Map<String, List<String>> o, String name) {
        String v = single(o, name, null);
        if (v == null) {
            throw new CertsException(name + " is required");
        }
        return v;
    }

    private static String single(Map<String, List<String>> o, String name, String defaultValue) {
        List<String> v = o.get(name);
        return v == null || v.isEmpty() ? defaultValue : v.get(0);
    }

    private static Duration days(Map<String, List<String>> o, int defaultDays) {
        String v = single(o, "--days", String.valueOf(defaultDays));
        try {
            int days = Integer.parseInt(v);
            if (days < 1 || days > 36500) {
                throw new NumberFormatException();
            }
            return Duration.ofDays(days);
        } catch (NumberFormatException e) {
            throw new CertsException("--days: expected a number of days between 1 and 36500, got '" + v + "'");
        }
    }

    private static KeyType keyType(Map<String, List<String>> o) {
        return KeyType.parse(single(o, "--key", "ec"));
    }

    public static String usage() {
        return """
                usage: warden certs <subcommand>
                  init-ca      --out DIR [--cn NAME] [--days N] [--key ec|rsa] [--force]
                  issue-server --ca DIR --out DIR --name NAME (--dns NAME)... (--ip ADDR)... [--days N] [--key ec|rsa] [--p12-password-env VAR] [--force]
                  issue-client --ca DIR --out DIR --cn NAME [--ou UNIT]... [--name FILE] [--days N] [--key ec|rsa] [--p12-password-env VAR] [--force]
                  inspect FILE""";
    }
}
