package io.letterbox.broker.handler;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;
import org.apache.kafka.common.requests.DescribeLogDirsResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.storage.log.Log;
import io.letterbox.storage.log.LogManager;

/**
 * DescribeLogDirs: every log directory of this broker with the size of each partition log in
 * it, and (v4) the total and usable bytes of its file system. There are no future (moving)
 * logs and no follower lag to report, so the lag is 0 and {@code isFutureKey} false. A
 * directory whose file system cannot be read reports KAFKA_STORAGE_ERROR.
 */
public final class DescribeLogDirsHandler implements ApiHandler<DescribeLogDirsRequest> {

    /** v5 (cordoned log dirs, KIP-1066) came after Kafka 4.1, whose newest is v4. */
    private static final short LATEST = 4;

    private final LogManager logManager;

    public DescribeLogDirsHandler(LogManager logManager) {
        this.logManager = logManager;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_LOG_DIRS;
    }

    @Override
    public short latestVersion() {
        return LATEST;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DescribeLogDirsRequest request) {
        DescribeLogDirsRequestData data = request.data();
        Set<TopicPartition> wanted = wanted(data);
        Map<Path, Map<String, DescribeLogDirsTopic>> byDir = new LinkedHashMap<>();
        for (Path dir : logManager.logDirs()) {
            byDir.put(dir.toAbsolutePath().normalize(), new TreeMap<>());
        }
        for (Log log : logManager.logs()) {
            TopicPartition tp = log.topicPartition();
            if (wanted != null && !wanted.contains(tp)) {
                continue;
            }
            Path logDir = log.dir().toAbsolutePath().normalize().getParent();
            Map<String, DescribeLogDirsTopic> topics = byDir.computeIfAbsent(logDir, p -> new TreeMap<>());
            topics.computeIfAbsent(tp.topic(), t -> new DescribeLogDirsTopic().setName(t)).partitions()
                    .add(new DescribeLogDirsPartition().setPartitionIndex(tp.partition())
                            .setPartitionSize(log.sizeInBytes()).setOffsetLag(0).setIsFutureKey(false));
        }
        DescribeLogDirsResponseData response = new DescribeLogDirsResponseData();
        for (Map.Entry<Path, Map<String, DescribeLogDirsTopic>> e : byDir.entrySet()) {
            DescribeLogDirsResult result = new DescribeLogDirsResult().setLogDir(e.getKey().toString());
            result.topics().addAll(e.getValue().values());
            try {
                FileStore store = Files.getFileStore(e.getKey());
                result.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
            } catch (IOException | RuntimeException ex) {
                result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
            }
            response.results().add(result);
        }
        return CompletableFuture.completedFuture(new DescribeLogDirsResponse(response));
    }

    /** The partitions asked for, or null for all. */
    private static Set<TopicPartition> wanted(DescribeLogDirsRequestData data) {
        if (data.topics() == null) {
            return null;
        }
        Set<TopicPartition> out = new HashSet<>();
        for (DescribableLogDirTopic t : data.topics()) {
            for (int p : t.partitions()) {
                out.add(new TopicPartition(t.topic(), p));
            }
        }
        return out;
    }
}
