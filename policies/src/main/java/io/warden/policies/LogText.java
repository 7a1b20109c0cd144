package io.warden.policies;

/** Values written into log lines of the form {@code event=... key="value"}. */
public final class LogText {

    private LogText() {
    }

    /** A value safe inside a double-quoted log field: one line, quotes and backslashes escaped. */
    public static String quote(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r", " ").replace("\n", " ");
    }
}
