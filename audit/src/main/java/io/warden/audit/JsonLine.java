package io.warden.audit;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One line of JSON written straight into UTF-8 bytes: fields in the order they are given, string values escaped by
 * Jackson's {@link JsonStringEncoder} (as its generators escape them; characters beyond the BMP as four UTF-8
 * bytes), no whitespace. Field names must be plain
 * ASCII needing no escape (they are the encoder's own constants).
 * <p>
 * The audit pipeline encodes every event through this instead of a Jackson generator: the same bytes, from a few
 * small methods that the JIT compiles cheaply — a generator's calls, inlined across the whole OCSF layout, made the
 * encoder one of the costliest methods for C2 to compile, and it was compiled again after every deoptimization.
 */
final class JsonLine {

    private static final JsonStringEncoder ESCAPER = JsonStringEncoder.getInstance();

    private byte[] bytes;
    private int size;
    /** Whether the next field or element follows another in the same object or array. */
    private boolean comma;

    JsonLine(int capacity) {
        bytes = new byte[capacity];
    }

    /** Opens the top-level object, or an object as an array element. */
    JsonLine startObject() {
        separate();
        return open('{');
    }

    /** Opens an object as the value of field {@code name}. */
    JsonLine startObject(String name) {
        name(name);
        return open('{');
    }

    JsonLine endObject() {
        return close('}');
    }

    /** Opens an array as the value of field {@code name}. */
    JsonLine startArray(String name) {
        name(name);
        return open('[');
    }

    JsonLine endArray() {
        return close(']');
    }

    private JsonLine open(char bracket) {
        put((byte) bracket);
        comma = false;
        return this;
    }

    private JsonLine close(char bracket) {
        put((byte) bracket);
        comma = true;
        return this;
    }

    JsonLine field(String name, long value) {
        name(name);
        ascii(Long.toString(value));
        comma = true;
        return this;
    }

    /** A string field; a null value is written as JSON null. */
    JsonLine field(String name, String value) {
        name(name);
        if (value == null) {
            ascii("null");
        } else {
            put((byte) '"');
            put(escaped(value));
            put((byte) '"');
        }
        comma = true;
        return this;
    }

    /**
     * {@code value} escaped, in UTF-8. A lone surrogate (which no UTF-8 input decodes to) becomes {@code ?}, as
     * {@link String#getBytes} makes it, instead of failing the event.
     */
    private static byte[] escaped(String value) {
        try {
            return ESCAPER.quoteAsUTF8(value);
        } catch (IllegalArgumentException brokenSurrogate) {
            return ESCAPER.quoteAsUTF8(new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        }
    }

    /** The line so far: a copy of its bytes. */
    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    private void name(String name) {
        separate();
        put((byte) '"');
        ascii(name);
        put((byte) '"');
        put((byte) ':');
    }

    private void separate() {
        if (comma) {
            put((byte) ',');
        }
    }

    private void ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[size++] = (byte) s.charAt(i);
        }
    }

    private void put(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, bytes, size, b.length);
        size += b.length;
    }

    private void put(byte b) {
        ensure(1);
        bytes[size++] = b;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
