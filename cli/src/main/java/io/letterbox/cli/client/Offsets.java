package io.letterbox.cli.client;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/** ListOffsets for many partitions with one spec (earliest, latest, a timestamp): offset per partition. */
public final class Offsets {

    private Offsets() {
    }

    /** The offset per partition; -1 where the broker has none (a timestamp after the last record). */
    public static Map<TopicPartition, Long> list(Admin admin, Collection<TopicPartition> tps, OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        tps.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, Long> offsets = new HashMap<>();
        if (request.isEmpty()) {
            return offsets;
        }
        Map<TopicPartition, ListOffsetsResultInfo> result = Futures.get(admin.listOffsets(request).all());
        result.forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }
}
