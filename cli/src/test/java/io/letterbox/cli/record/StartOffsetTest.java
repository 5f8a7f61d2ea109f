package io.letterbox.cli.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StartOffsetTest {

    @Test
    void readsEarliestLatestAndOffsets() {
        assertThat(StartOffset.parse("earliest").kind()).isEqualTo(StartOffset.Kind.EARLIEST);
        assertThat(StartOffset.parse("LATEST").kind()).isEqualTo(StartOffset.Kind.LATEST);
        assertThat(StartOffset.parse("42")).isEqualTo(new StartOffset(StartOffset.Kind.AT, 42));
        assertThat(StartOffset.parse("0")).isEqualTo(new StartOffset(StartOffset.Kind.AT, 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "soon", "", "1.5", "99999999999999999999"})
    void refusesAnythingElse(String text) {
        assertThatThrownBy(() -> StartOffset.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("earliest, latest or an offset");
    }
}
