package io.letterbox.broker.group;

import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.UnknownMemberIdException;

/**
 * Membership of "simple" groups: groups that only store offsets and never have members. Answers
 * as Apache Kafka does for a classic group in state Empty:
 *
 * <ul>
 *   <li>generation &lt; 0 (a commit from outside group management): accepted, and the group comes
 *       to exist if it did not;</li>
 *   <li>generation &ge; 0 for a group that does not exist: GROUP_ID_NOT_FOUND from OffsetCommit v9
 *       (the KIP-848 version), ILLEGAL_GENERATION before;</li>
 *   <li>generation &ge; 0 for an existing (hence empty) group: UNKNOWN_MEMBER_ID, since it has no
 *       members; static members too.</li>
 * </ul>
 * OffsetFetch is always allowed: a simple group has no member epoch to check. Stateless, thread-safe.
 */
public final class SimpleGroupMembership implements GroupMembership {

    @Override
    public void validateOffsetCommit(String groupId, boolean groupExists, int generationIdOrMemberEpoch,
            String memberId, String groupInstanceId, short apiVersion) {
        if (generationIdOrMemberEpoch < 0) {
            return;
        }
        if (!groupExists) {
            if (apiVersion >= 9) {
                throw new GroupIdNotFoundException("Group " + groupId + " does not exist.");
            }
            throw new IllegalGenerationException("Group " + groupId + " does not exist, so generation "
                    + generationIdOrMemberEpoch + " is not its generation.");
        }
        throw new UnknownMemberIdException("Group " + groupId + " has no member " + memberId + ".");
    }

    @Override
    public void validateOffsetFetch(String groupId, boolean groupExists, String memberId, int memberEpoch,
            short apiVersion) {
    }
}
