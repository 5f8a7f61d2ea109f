package io.letterbox.cli.client;

import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes JSON (RFC 8259) from plain Java values: {@link Map} (keys as strings, in iteration order),
 * {@link Collection} and arrays of objects, {@link CharSequence}, {@link Number}, {@link Boolean},
 * {@code null}; anything else is written as its {@code toString()} string. One line, no spaces,
 * so that streams are JSON Lines. Stateless and thread-safe.
 */
public final class Json {

    private Json() {
    }

    public static String write(Object value) {
        StringBuilder out = new StringBuilder(64);
        append(out, value);
        return out.toString();
    }

    public static void append(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                appendString(out, String.valueOf(e.getKey()));
                out.append(':');
                append(out, e.getValue());
                if (it.hasNext()) {
                    out.append(',');
                }
            }
            out.append('}');
        } else if (value instanceof Collection<?> list) {
            appendArray(out, list);
        } else if (value instanceof Object[] array) {
            appendArray(out, java.util.Arrays.asList(array));
        } else if (value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Number n) {
            appendNumber(out, n);
        } else {
            appendString(out, value.toString());
        }
    }

    private static void appendArray(StringBuilder out, Collection<?> list) {
        out.append('[');
        boolean first = true;
        for (Object item : list) {
            if (!first) {
                out.append(',');
            }
            first = false;
            append(out, item);
        }
        out.append(']');
    }

    private static void appendNumber(StringBuilder out, Number n) {
        // JSON has no NaN or infinity: they become null rather than invalid output.
        if ((n instanceof Double d && (d.isNaN() || d.isInfinite()))
                || (n instanceof Float f && (f.isNaN() || f.isInfinite()))) {
            out.append("null");
        } else {
            out.append(n);
        }
    }

    /** A JSON string: quotes, backslash and control characters escaped; everything else as is (UTF-8 output). */
    public static void appendString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // U+2028/2029 are valid JSON but break JavaScript readers; escape them too.
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
