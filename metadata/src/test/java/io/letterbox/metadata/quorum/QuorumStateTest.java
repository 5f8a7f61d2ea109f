package io.letterbox.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class QuorumStateTest {

    private static final QuorumState STATE = new QuorumState(2, 7, 120,
            List.of(new QuorumState.Member(1, 118, 1_700_000_000_000L, -1),
                    new QuorumState.Member(2, 121, 1_700_000_000_500L, 1_700_000_000_500L)),
            List.of(new QuorumState.Member(4, 120, 1_700_000_000_400L, 1_700_000_000_400L)));

    @Test
    void theLeadersAnswerReadsBackAsItWasWritten() {
        assertThat(QuorumState.decode(ByteBuffer.wrap(STATE.encode()))).isEqualTo(STATE);
    }

    @Test
    void aTruncatedAnswerIsRefusedNotMisread() {
        byte[] bytes = STATE.encode();
        assertThatThrownBy(() -> QuorumState.decode(ByteBuffer.wrap(Arrays.copyOf(bytes, bytes.length - 10))))
                .isInstanceOf(RuntimeException.class);
        ByteBuffer huge = ByteBuffer.wrap(bytes.clone());
        huge.putInt(20, Integer.MAX_VALUE);
        assertThatThrownBy(() -> QuorumState.decode(huge)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("members");
    }
}
