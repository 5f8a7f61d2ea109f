package io.letterbox.storage.config;

import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogConfigTest {

    @Test
    void defaultsAreKafkas() {
        // Given / When
        LogConfig config = LogConfig.defaults();

        // Then
        assertThat(config.segmentBytes()).isEqualTo(1073741824);
        assertThat(config.segmentMs()).isEqualTo(604800000L);
        assertThat(config.maxMessageBytes()).isEqualTo(1048588);
        assertThat(config.indexIntervalBytes()).isEqualTo(4096);
        assertThat(config.retentionMs()).isEqualTo(604800000L);
        assertThat(config.retentionBytes()).isEqualTo(-1L);
        assertThat(config.timestampBeforeMaxMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(config.timestampAfterMaxMs()).isEqualTo(3600000L);
        assertThat(config.minInsyncReplicas()).isEqualTo(1);
        assertThat(config.logAppendTime()).isFalse();
        assertThat(config.flushOnAck()).isTrue();
        assertThat(config.cleanupPolicy()).containsExactly("delete");
        assertThat(config.overriddenKeys()).isEmpty();
    }

    @Test
    void overridesWinOverBrokerDefaultsWhichWinOverKafkaDefaults() {
        // Given
        Map<String, String> brokerDefaults = Map.of("segment.bytes", "2048", "retention.ms", "1000");
        Map<String, String> overrides = Map.of("retention.ms", "-1", "message.timestamp.type", "LogAppendTime",
                "cleanup.policy", "compact,delete");

        // When
        LogConfig config = LogConfig.of(overrides, brokerDefaults);

        // Then
        assertThat(config.segmentBytes()).isEqualTo(2048);
        assertThat(config.retentionMs()).isEqualTo(-1L);
        assertThat(config.logAppendTime()).isTrue();
        assertThat(config.cleanupPolicy()).containsExactly("compact", "delete");
        assertThat(config.overriddenKeys()).containsExactlyInAnyOrder("retention.ms", "message.timestamp.type",
                "cleanup.policy");
        assertThat(config.values()).containsEntry("segment.bytes", "2048").containsEntry("retention.ms", "-1")
                .containsEntry("cleanup.policy", "compact,delete").containsEntry("flush.on.ack", "true")
                .containsKeys(LogConfig.CONFIG_DEF.names().toArray(new String[0]));
    }

    @Test
    void anUnknownKeyIsRefusedByName() {
        // When / Then
        assertThatThrownBy(() -> LogConfig.of(Map.of("segment.byte", "1000"), Map.of()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("segment.byte").hasMessageContaining("1000").hasMessageContaining("segment.bytes");
    }

    @Test
    void aBadValueNamesTheKeyTheValueAndWhatIsAllowed() {
        // When / Then
        assertThatThrownBy(() -> LogConfig.of(Map.of("segment.bytes", "10"), Map.of()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("segment.bytes").hasMessageContaining("'10'").hasMessageContaining("14");
        assertThatThrownBy(() -> LogConfig.of(Map.of("message.timestamp.type", "WallClock"), Map.of()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("WallClock").hasMessageContaining("LogAppendTime");
        assertThatThrownBy(() -> LogConfig.of(Map.of("min.insync.replicas", "zero"), Map.of()))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("min.insync.replicas");
        assertThatThrownBy(() -> LogConfig.of(Map.of("cleanup.policy", "shred"), Map.of()))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("shred");
        assertThatThrownBy(() -> LogConfig.of(Map.of(), Map.of("retention.ms", "-5")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("retention.ms");
    }

    @Test
    void onlyProducerCompressionIsAccepted() {
        // When / Then
        assertThat(LogConfig.of(Map.of("compression.type", "producer"), Map.of()).values())
                .containsEntry("compression.type", "producer");
        assertThatThrownBy(() -> LogConfig.of(Map.of("compression.type", "gzip"), Map.of()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("compression.type").hasMessageContaining("gzip")
                .hasMessageContaining("never recompresses");
    }
}
