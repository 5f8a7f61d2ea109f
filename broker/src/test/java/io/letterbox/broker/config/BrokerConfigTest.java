package io.letterbox.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.letterbox.storage.config.LogConfig;

/** The log lifecycle keys: retention precedence and defaults, recovery threads, several log directories. */
class BrokerConfigTest {

    private static LogConfig topicDefaults(Map<String, String> broker) {
        return LogConfig.of(Map.of(), BrokerConfig.parse(broker).topicDefaults(Map.of()));
    }

    @Test
    void retentionMsWinsOverMinutesWhichWinOverHoursAndTheDefaultIsOneWeek() {
        assertThat(topicDefaults(Map.of()).retentionMs()).isEqualTo(168 * 3_600_000L);
        assertThat(topicDefaults(Map.of("log.retention.hours", "2")).retentionMs()).isEqualTo(7_200_000L);
        assertThat(topicDefaults(Map.of("log.retention.hours", "2", "log.retention.minutes", "3")).retentionMs())
                .isEqualTo(180_000L);
        assertThat(topicDefaults(Map.of("log.retention.hours", "2", "log.retention.minutes", "3",
                "log.retention.ms", "4000")).retentionMs()).isEqualTo(4000L);
        assertThat(topicDefaults(Map.of("log.retention.minutes", "-1")).retentionMs()).isEqualTo(-1L);
    }

    @Test
    void retentionBytesAndTheDeleteDelayHaveKafkasDefaultsAndBrokerKeys() {
        assertThat(topicDefaults(Map.of()).retentionBytes()).isEqualTo(-1L);
        assertThat(topicDefaults(Map.of()).fileDeleteDelayMs()).isEqualTo(60_000L);
        LogConfig set = topicDefaults(Map.of("log.retention.bytes", "1048576", "log.segment.delete.delay.ms", "5"));
        assertThat(set.retentionBytes()).isEqualTo(1_048_576L);
        assertThat(set.fileDeleteDelayMs()).isEqualTo(5L);
    }

    @Test
    void maintenanceIntervalsAndRecoveryThreadsHaveKafkasDefaults() {
        BrokerConfig config = BrokerConfig.parse(Map.of());
        assertThat(config.logRetentionCheckIntervalMs()).isEqualTo(300_000L);
        assertThat(config.logFlushOffsetCheckpointIntervalMs()).isEqualTo(60_000);
        assertThat(config.numRecoveryThreadsPerDataDir()).isEqualTo(2);
    }

    @Test
    void logDirsNamesSeveralDirectoriesInOrder() {
        BrokerConfig config = BrokerConfig.parse(Map.of("log.dirs", "/data/a, /data/b"));
        assertThat(config.logDirs()).containsExactly(Path.of("/data/a"), Path.of("/data/b"));
    }
}
