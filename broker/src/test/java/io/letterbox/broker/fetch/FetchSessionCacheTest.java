package io.letterbox.broker.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.apache.kafka.common.errors.FetchSessionIdNotFoundException;
import org.apache.kafka.common.errors.InvalidFetchSessionEpochException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.requests.FetchMetadata;
import org.junit.jupiter.api.Test;

import io.letterbox.broker.fetch.FetchSessionCache.CachedPartition;
import io.letterbox.broker.fetch.FetchSessionCache.Opened;

class FetchSessionCacheTest {

    private static FetchRequestData request(int sessionId, int epoch, String topic, long... offsets) {
        FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic().setTopic(topic);
        for (int p = 0; p < offsets.length; p++) {
            t.partitions().add(new FetchRequestData.FetchPartition().setPartition(p).setFetchOffset(offsets[p])
                    .setPartitionMaxBytes(1024).setCurrentLeaderEpoch(-1));
        }
        return new FetchRequestData().setSessionId(sessionId).setSessionEpoch(epoch)
                .setTopics(offsets.length == 0 ? List.of() : List.of(t));
    }

    @Test
    void aFullFetchCreatesASessionThatIncrementalFetchesUpdate() {
        FetchSessionCache cache = new FetchSessionCache(10);
        // Given a session created by a full fetch of two partitions
        Opened first = cache.open(request(0, FetchMetadata.INITIAL_EPOCH, "t", 5, 7));
        assertThat(first.full()).isTrue();
        assertThat(first.session().id()).isPositive();
        assertThat(first.session().partitions()).hasSize(2);
        int id = first.session().id();

        // When the next fetch sends only partition 0 with a new offset and forgets nothing
        Opened next = cache.open(request(id, 1, "t", 9));

        // Then the session keeps both partitions, with partition 0 moved on
        assertThat(next.full()).isFalse();
        assertThat(next.session().partitions().values()).extracting(c -> c.fetchOffset).containsExactly(9L, 7L);

        // And a forgotten partition leaves the session
        FetchRequestData forget = request(id, 2, "t");
        forget.forgottenTopicsData().add(new FetchRequestData.ForgottenTopic().setTopic("t").setPartitions(List.of(1)));
        assertThat(cache.open(forget).session().partitions()).hasSize(1);
    }

    @Test
    void aWrongEpochOrUnknownSessionIsRefused() {
        FetchSessionCache cache = new FetchSessionCache(10);
        int id = cache.open(request(0, 0, "t", 0)).session().id();
        assertThatThrownBy(() -> cache.open(request(id, 5, "t", 0))).isInstanceOf(InvalidFetchSessionEpochException.class);
        assertThatThrownBy(() -> cache.open(request(id + 1, 1, "t", 0))).isInstanceOf(FetchSessionIdNotFoundException.class);
    }

    @Test
    void aSessionlessFetchCreatesNoSessionAndClosesTheOldOne() {
        FetchSessionCache cache = new FetchSessionCache(10);
        int id = cache.open(request(0, 0, "t", 0)).session().id();
        Opened sessionless = cache.open(request(id, FetchMetadata.FINAL_EPOCH, "t", 0));
        assertThat(sessionless.session().id()).isZero();
        assertThat(cache.size()).isZero();
    }

    @Test
    void theLeastRecentlyUsedSessionIsEvictedWhenFull() {
        FetchSessionCache cache = new FetchSessionCache(2);
        int a = cache.open(request(0, 0, "t", 0)).session().id();
        int b = cache.open(request(0, 0, "t", 0)).session().id();
        cache.open(request(a, 1, "t", 0)); // a is used again, so b is the eldest
        cache.open(request(0, 0, "t", 0));
        assertThat(cache.size()).isEqualTo(2);
        assertThatThrownBy(() -> cache.open(request(b, 1, "t", 0))).isInstanceOf(FetchSessionIdNotFoundException.class);
    }

    @Test
    void anIncrementalResponseCarriesOnlyPartitionsWithNews() {
        FetchSessionCache cache = new FetchSessionCache(10);
        Opened opened = cache.open(request(0, 0, "t", 0));
        CachedPartition p = opened.session().partitions().values().iterator().next();
        // The full response told the client hw=10
        assertThat(opened.session().include(true, p, false, false, 10, 10, 0)).isTrue();
        opened.session().commitSent();
        // Nothing new: left out of an incremental response
        assertThat(opened.session().include(false, p, false, false, 10, 10, 0)).isFalse();
        // A moved high watermark, records or an error put it back in
        assertThat(opened.session().include(false, p, false, false, 11, 11, 0)).isTrue();
        assertThat(opened.session().include(false, p, true, false, 10, 10, 0)).isTrue();
        assertThat(opened.session().include(false, p, false, true, 10, 10, 0)).isTrue();
    }
}
