package io.letterbox.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;

class TimesTest {

    @Test
    void readsEpochMillisInstantsOffsetsAndLocalTimes() {
        assertThat(Times.parseEpochMillis("1735689600000")).isEqualTo(1_735_689_600_000L);
        assertThat(Times.parseEpochMillis("2025-01-01T00:00:00Z")).isEqualTo(1_735_689_600_000L);
        assertThat(Times.parseEpochMillis("2025-01-01T01:00:00+01:00")).isEqualTo(1_735_689_600_000L);
        long local = LocalDateTime.of(2025, 1, 1, 9, 30).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
        assertThat(Times.parseEpochMillis("2025-01-01T09:30")).isEqualTo(local);
    }

    @Test
    void refusesOtherTextNamingTheForms() {
        assertThatThrownBy(() -> Times.parseEpochMillis("yesterday"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ISO-8601");
    }
}
