package io.letterbox.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void percentilesOfAUniformRangeAreWithinOnePercent() {
        LatencyHistogram h = new LatencyHistogram();
        for (long v = 1; v <= 100_000; v++) {
            h.recordMicros(v);
        }
        assertThat(h.count()).isEqualTo(100_000);
        assertThat((double) h.percentileMicros(50)).isCloseTo(50_000, within(500.0));
        assertThat((double) h.percentileMicros(99)).isCloseTo(99_000, within(990.0));
        assertThat((double) h.percentileMicros(99.9)).isCloseTo(99_900, within(999.0));
        assertThat(h.maxMicros()).isEqualTo(100_000);
        assertThat(h.percentileMicros(100)).isEqualTo(100_000);
    }

    @Test
    void agreesWithSortingOnASkewedRandomSample() {
        Random random = new Random(7);
        long[] values = new long[20_000];
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < values.length; i++) {
            values[i] = (long) Math.exp(random.nextDouble() * 16); // 1 µs .. 9 s, log-uniform
            h.recordMicros(values[i]);
        }
        Arrays.sort(values);
        for (double p : new double[] {50, 90, 99, 99.9}) {
            long exact = values[(int) Math.ceil(p / 100 * values.length) - 1];
            assertThat((double) h.percentileMicros(p)).as("p%s", p).isCloseTo(exact, within(Math.max(1.0, exact * 0.01)));
        }
    }

    @Test
    void smallValuesAreExactAndNanosAreConverted() {
        LatencyHistogram h = new LatencyHistogram();
        h.recordNanos(3_000);
        h.recordNanos(3_999);
        h.recordMicros(100);
        assertThat(h.percentileMicros(50)).isEqualTo(3);
        assertThat(h.maxMicros()).isEqualTo(100);
        assertThat(new LatencyHistogram().percentileMicros(99)).isZero();
    }

    @Test
    void bucketsCoverEveryValueWithoutGaps() {
        int previous = -1;
        for (long v = 0; v < 1 << 20; v++) {
            int i = LatencyHistogram.index(v);
            assertThat(i).isBetween(previous, previous + 1);
            long mid = LatencyHistogram.middle(i);
            assertThat(Math.abs(mid - v)).isLessThanOrEqualTo(Math.max(0, v / 64));
            previous = i;
        }
    }
}
