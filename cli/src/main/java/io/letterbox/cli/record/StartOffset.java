package io.letterbox.cli.record;

/**
 * Where {@code letterbox consume --offset} starts a partition: {@code earliest}, {@code latest} or
 * an offset ({@code 0} or more). {@code offset} is meaningful only for {@link Kind#AT}.
 */
record StartOffset(Kind kind, long offset) {

    enum Kind { EARLIEST, LATEST, AT }

    /** Parses {@code earliest}, {@code latest} or a non-negative number; {@link IllegalArgumentException} otherwise. */
    static StartOffset parse(String text) {
        switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "earliest", "beginning" -> {
                return new StartOffset(Kind.EARLIEST, -1);
            }
            case "latest", "end" -> {
                return new StartOffset(Kind.LATEST, -1);
            }
            default -> {
                try {
                    long n = Long.parseLong(text.trim());
                    if (n >= 0) {
                        return new StartOffset(Kind.AT, n);
                    }
                } catch (NumberFormatException e) {
                    // fall through to the message
                }
                throw new IllegalArgumentException("--offset takes earliest, latest or an offset of 0 or more, not '"
                        + text + "'");
            }
        }
    }
}
