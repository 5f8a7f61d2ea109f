package io.letterbox.cli.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Targets for a partition whose log holds offsets 100..200 and whose group committed 150. */
class OffsetResetTest {

    private static final long START = 100;
    private static final long END = 200;
    private static final long COMMITTED = 150;

    @Test
    void earliestAndLatestAreTheLogBounds() {
        assertThat(OffsetReset.earliest().target(COMMITTED, START, END, -1)).isEqualTo(START);
        assertThat(OffsetReset.latest().target(COMMITTED, START, END, -1)).isEqualTo(END);
    }

    @Test
    void anOffsetOrAShiftIsKeptInsideTheLog() {
        assertThat(OffsetReset.toOffset(120).target(COMMITTED, START, END, -1)).isEqualTo(120);
        assertThat(OffsetReset.toOffset(5).target(COMMITTED, START, END, -1)).isEqualTo(START);
        assertThat(OffsetReset.toOffset(5000).target(COMMITTED, START, END, -1)).isEqualTo(END);
        assertThat(OffsetReset.shiftBy(-10).target(COMMITTED, START, END, -1)).isEqualTo(140);
        assertThat(OffsetReset.shiftBy(-1000).target(COMMITTED, START, END, -1)).isEqualTo(START);
        assertThat(OffsetReset.shiftBy(10).target(-1, START, END, -1)).as("no commit: from the start").isEqualTo(110);
    }

    @Test
    void aTimeUsesTheLookupOrTheEndWhenNothingIsThatRecent() {
        OffsetReset at = OffsetReset.toDatetime("2025-01-01T00:00:00Z");
        assertThat(at.needsTimestampLookup()).isTrue();
        assertThat(at.value()).isEqualTo(1_735_689_600_000L);
        assertThat(at.target(COMMITTED, START, END, 170)).isEqualTo(170);
        assertThat(at.target(COMMITTED, START, END, -1)).isEqualTo(END);
    }

    @Test
    void aDurationCountsBackFromNow() {
        assertThat(OffsetReset.byDuration("PT10M", 1_000_000_000L).value()).isEqualTo(1_000_000_000L - 600_000L);
        assertThatThrownBy(() -> OffsetReset.byDuration("10m", 0)).hasMessageContaining("ISO-8601 duration");
        assertThatThrownBy(() -> OffsetReset.byDuration("-PT1M", 0)).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> OffsetReset.toOffset(-1)).hasMessageContaining("0 or more");
    }
}
