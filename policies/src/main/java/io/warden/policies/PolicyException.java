package io.warden.policies;

/**
 * A policy file that cannot be used. The message is meant to be printed as is, without a stack trace, and reads like
 * a compiler error so that editors and CI logs can jump to the spot:
 * {@code policy.yaml:7:17: acls[1].operations[0]: unknown operation 'wirte' (did you mean write?); expected one of [...]}.
 * Line and column are 1-based, and 0 when the problem has no place in the text (a missing or unreadable file).
 */
public final class PolicyException extends RuntimeException {

    private final String source;
    private final int line;
    private final int column;
    private final String path;

    PolicyException(String source, int line, int column, String path, String problem) {
        super(format(source, line, column, path, problem));
        this.source = source;
        this.line = line;
        this.column = column;
        this.path = path;
    }

    /** A problem with the file as a whole (not found, not readable). */
    PolicyException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
        this.line = 0;
        this.column = 0;
        this.path = "";
    }

    /** The file name or other label the policy was parsed from. */
    public String source() {
        return source;
    }

    /** 1-based line of the offending text; 0 when there is none. */
    public int line() {
        return line;
    }

    /** 1-based column of the offending text; 0 when there is none. */
    public int column() {
        return column;
    }

    /** The field, as in {@code acls[1].operations[0]}; empty for the document as a whole. */
    public String path() {
        return path;
    }

    private static String format(String source, int line, int column, String path, String problem) {
        StringBuilder b = new StringBuilder(source);
        if (line > 0) {
            b.append(':').append(line);
            if (column > 0) {
                b.append(':').append(column);
            }
        }
        b.append(": ");
        if (!path.isEmpty()) {
            b.append(path).append(": ");
        }
        return b.append(problem).toString();
    }
}
