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
        number(value);
        comma = true;
        return this;
    }

    /** A number written as a JSON string, as OCSF wants some codes and versions. */
    JsonLine fieldAsString(String name, long value) {
        name(name);
        put((byte) '"');
        number(value);
        put((byte) '"');
        comma = true;
        return this;
    }

    /** A string element of the array being written. */
    JsonLine value(String value) {
        separate();
        put((byte) '"');
        string(value);
        put((byte) '"');
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
            string(value);
            put((byte) '"');
        }
        comma = true;
        return this;
    }

    /**
     * Fields encoded beforehand, by a {@code JsonLine} of their own ({@link #toByteArray}): one or more complete
     * fields, the way an encoder writes the parts of a line that never change.
     */
    JsonLine fields(byte[] encoded) {
        separate();
        put(encoded);
        comma = true;
        return this;
    }

    /**
     * Opens a string field whose value is written in parts, each escaped as {@link #field(String, String)} escapes a
     * value ({@link #part}), and closed by {@link #endString}: no intermediate string for a value made of several.
     */
    JsonLine startString(String name) {
        name(name);
        put((byte) '"');
        return this;
    }

    JsonLine part(String text) {
        string(text);
        return this;
    }

    JsonLine part(long value) {
        number(value);
        return this;
    }

    JsonLine endString() {
        put((byte) '"');
        comma = true;
        return this;
    }

    /**
     * {@code value} escaped, in UTF-8, without quotes. Printable ASCII that needs no escape, what most values are,
     * is copied as it is; anything else goes through Jackson's escaper.
     */
    private void string(String value) {
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                put(escaped(value));
                return;
            }
        }
        ascii(value);
    }

    /** The decimal digits of {@code value}, with a minus sign when negative. */
    private void number(long value) {
        if (value == Long.MIN_VALUE) {
            ascii(Long.toString(value));
            return;
        }
        ensure(20);
        long v = value;
        if (v < 0) {
            bytes[size++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long bound = 10; digits < 19 && v >= bound; bound *= 10) {
            digits++;
        }
        int at = size + digits;
        size = at;
        do {
            bytes[--at] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
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

    /** Characters below 0x80, one byte each: {@link String#getBytes(int, int, byte[], int)} is a plain copy for them. */
    @SuppressWarnings("deprecation")
    private void ascii(String s) {
        int n = s.length();
        ensure(n);
        s.getBytes(0, n, bytes, size);
        size += n;
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
