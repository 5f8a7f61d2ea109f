package io.letterbox.cli.client;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * Points in time as users type them: epoch milliseconds ({@code 1735689600000}), an ISO-8601
 * instant or offset date-time ({@code 2025-01-01T00:00:00Z}, {@code 2025-01-01T01:00+01:00}),
 * or a local date-time or date, read in the machine's time zone ({@code 2025-01-01T09:30},
 * {@code 2025-01-01}).
 */
public final class Times {

    private Times() {
    }

    /** Epoch milliseconds; {@link IllegalArgumentException} naming the accepted forms otherwise. */
    public static long parseEpochMillis(String text) {
        String s = text.trim();
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw invalid(text);
            }
        }
        try {
            return OffsetDateTime.parse(s).toInstant().toEpochMilli();
        } catch (DateTimeParseException notOffset) {
            // try the forms without an offset
        }
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException notInstant) {
            // try the local forms
        }
        try {
            return LocalDateTime.parse(s).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
        } catch (DateTimeParseException notLocal) {
            // try a date alone
        }
        try {
            return LocalDate.parse(s).atStartOfDay(ZoneId.systemDefault()).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw invalid(text);
        }
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("'" + text + "' is not a time: use epoch milliseconds or ISO-8601, "
                + "e.g. 2025-01-01T00:00:00Z");
    }
}
