package io.letterbox.broker.group;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.junit.jupiter.api.Test;

/** The answers Kafka 4.1 gives for a group without members (checked against it by CommittedOffsetsIT). */
class SimpleGroupMembershipTest {

    private final GroupMembership membership = new SimpleGroupMembership();

    @Test
    void commitsWithoutGenerationAreAcceptedWhetherOrNotTheGroupExists() {
        assertThatCode(() -> membership.validateOffsetCommit("g", false, -1, "", null, (short) 9)).doesNotThrowAnyException();
        assertThatCode(() -> membership.validateOffsetCommit("g", true, -1, "", null, (short) 2)).doesNotThrowAnyException();
    }

    @Test
    void aGenerationForAMissingGroupIsGroupIdNotFoundFromV9AndIllegalGenerationBefore() {
        assertThatThrownBy(() -> membership.validateOffsetCommit("g", false, 1, "m", null, (short) 9))
                .isInstanceOf(GroupIdNotFoundException.class);
        assertThatThrownBy(() -> membership.validateOffsetCommit("g", false, 1, "m", null, (short) 8))
                .isInstanceOf(IllegalGenerationException.class);
    }

    @Test
    void aMemberOfAnExistingSimpleGroupIsUnknown() {
        assertThatThrownBy(() -> membership.validateOffsetCommit("g", true, 0, "m", null, (short) 8))
                .isInstanceOf(UnknownMemberIdException.class);
        assertThatThrownBy(() -> membership.validateOffsetCommit("g", true, 3, "m", "static-1", (short) 7))
                .isInstanceOf(UnknownMemberIdException.class);
    }

    @Test
    void fetchesAreAlwaysAllowed() {
        assertThatCode(() -> membership.validateOffsetFetch("g", false, "m", 5, (short) 9)).doesNotThrowAnyException();
    }
}
