package io.letterbox.broker.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class ReplicationQuotaTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    /** Kafka's defaults: 11 windows of 1 s. */
    private final ReplicationQuota quota = new ReplicationQuota(11, 1000, now::get);

    @Test
    void withoutALimitNothingIsEverExceeded() {
        quota.record(Long.MAX_VALUE / 2);
        assertThat(quota.isExceeded()).isFalse();
    }

    @Test
    void aBurstOfTenWindowsWorthPassesThenTheAverageHolds() {
        quota.limit(1000);
        // 10 s worth at once: the rate counts over at least 10 windows, so it is exactly the limit
        quota.record(10_000);
        assertThat(quota.rate()).isEqualTo(1000.0);
        assertThat(quota.isExceeded()).isFalse();
        quota.record(1);
        assertThat(quota.isExceeded()).isTrue();
        // Ten seconds on, the 10,001 bytes span 10 s: still above 1000 B/s
        now.addAndGet(10_000);
        assertThat(quota.isExceeded()).isTrue();
        // Once that first window leaves the 11 kept, nothing is counted any more
        now.addAndGet(1_000);
        assertThat(quota.rate()).isZero();
        assertThat(quota.isExceeded()).isFalse();
    }

    @Test
    void aSteadyFlowAtTheLimitIsNotHeldBackAndOneAboveItIs() {
        quota.limit(1000);
        for (int s = 0; s < 30; s++) {
            quota.record(1000);
            now.addAndGet(1000);
        }
        assertThat(quota.isExceeded()).isFalse();
        for (int s = 0; s < 30; s++) {
            quota.record(1500);
            now.addAndGet(1000);
        }
        assertThat(quota.rate()).isGreaterThan(1000.0);
        assertThat(quota.isExceeded()).isTrue();
    }

    @Test
    void aLimitCanBeRaisedAtRunTime() {
        quota.limit(10);
        quota.record(1_000);
        assertThat(quota.isExceeded()).isTrue();
        quota.limit(ReplicationQuota.UNLIMITED);
        assertThat(quota.isExceeded()).isFalse();
    }

    @Test
    void fewerThanTwoWindowsAreRefused() {
        assertThatThrownBy(() -> new ReplicationQuota(1, 1000, now::get)).isInstanceOf(IllegalArgumentException.class);
    }
}
