package io.letterbox.cli.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordFormatterTest {

    private static final ConsumerRecord<byte[], byte[]> RECORD = new ConsumerRecord<>("orders", 2, 41L, 1_700_000_000_000L,
            TimestampType.CREATE_TIME, 1, 5, bytes("k1"), bytes("say \"hi\""),
            new RecordHeaders(new RecordHeader[] {new RecordHeader("src", bytes("cli"))}), Optional.empty());

    @Test
    void valueIsTheValueAlone() {
        assertThat(new RecordFormatter(RecordFormatter.Format.value, Map.of()).format(RECORD)).isEqualTo("say \"hi\"");
    }

    @Test
    void keyValueIsKeyTabValueAndKafkasPropertiesAddFieldsInItsOrder() {
        assertThat(new RecordFormatter(RecordFormatter.Format.key_value, Map.of()).format(RECORD)).isEqualTo("k1\tsay \"hi\"");
        RecordFormatter all = new RecordFormatter(RecordFormatter.Format.value, Map.of("print.key", "true",
                "print.timestamp", "true", "print.partition", "true", "print.offset", "true", "print.headers", "true",
                "key.separator", " | "));
        assertThat(all.format(RECORD))
                .isEqualTo("CreateTime:1700000000000 | Partition:2 | Offset:41 | src:cli | k1 | say \"hi\"");
    }

    @Test
    void jsonHasEveryFieldEscaped() {
        assertThat(new RecordFormatter(RecordFormatter.Format.json, Map.of()).format(RECORD)).isEqualTo(
                "{\"topic\":\"orders\",\"partition\":2,\"offset\":41,\"timestamp\":1700000000000,"
                        + "\"timestampType\":\"CreateTime\",\"key\":\"k1\",\"value\":\"say \\\"hi\\\"\","
                        + "\"headers\":[{\"key\":\"src\",\"value\":\"cli\"}]}");
    }

    @Test
    void formatNamesAndUnknownPropertiesAreChecked() {
        assertThat(RecordFormatter.Format.of("key-value")).isEqualTo(RecordFormatter.Format.key_value);
        assertThatThrownBy(() -> RecordFormatter.Format.of("xml")).hasMessageContaining("value, key-value or json");
        assertThatThrownBy(() -> new RecordFormatter(RecordFormatter.Format.value, Map.of("print.keys", "true")))
                .hasMessageContaining("unknown --property print.keys");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
