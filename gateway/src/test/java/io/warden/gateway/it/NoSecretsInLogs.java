package io.warden.gateway.it;

import io.warden.policies.LogCapture;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every test of this module, registered through {@code META-INF/services}: everything Warden logs while it runs, at
 * DEBUG and above, stack traces included, is scanned for credentials — the tests' passwords ({@code <name>-secret}),
 * JSON web tokens and PEM private keys — and a test during which one was logged fails, naming the line (with the
 * credential masked). The console still shows INFO and above only ({@code log4j2-test.xml}).
 */
public final class NoSecretsInLogs implements BeforeAllCallback, AfterEachCallback {

    /** What a credential looks like in this module's tests. */
    static final Pattern CREDENTIAL = Pattern.compile(
            "\\b[a-z][a-z0-9-]*-secret\\b"                                  // the tests' passwords
                    + "|eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*" // a compact JWS or JWT
                    + "|-----BEGIN [A-Z ]*PRIVATE KEY-----");                  // key material

    private static final Scanner SCANNER = new Scanner();

    @Override
    public void beforeAll(ExtensionContext context) {
        SCANNER.attach();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        check(context.getDisplayName());
    }

    /** Fails when a credential was logged since the last check, naming {@code test}; clears what it reported. */
    static void check(String test) {
        SCANNER.attach();
        List<String> found = SCANNER.drain();
        if (!found.isEmpty()) {
            throw new AssertionError("credentials in Warden's log during " + test + ":\n" + String.join("\n", found));
        }
    }

    /** The appender on the root logger that keeps every line holding a credential, masked. */
    static final class Scanner extends AbstractAppender {
        private final List<String> found = new ArrayList<>();
        private boolean attached;

        Scanner() {
            super("no-secrets-in-logs", null, null, true, Property.EMPTY_ARRAY);
        }

        synchronized void attach() {
            if (attached) {
                return;
            }
            attached = true;
            start();
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            Configuration config = context.getConfiguration();
            config.addAppender(this);
            config.getRootLogger().addAppender(this, null, null);
            context.updateLoggers();
        }

        @Override
        public void append(LogEvent event) {
            Matcher m = CREDENTIAL.matcher(LogCapture.messageAndTrace(event));
            if (m.find()) {
                String masked = m.replaceAll(r -> "<" + r.group().length() + " characters of a credential>");
                synchronized (this) {
                    found.add(event.getLevel() + " " + event.getLoggerName() + " " + masked);
                }
            }
        }

        synchronized List<String> drain() {
            List<String> out = List.copyOf(found);
            found.clear();
            return out;
        }
    }
}
