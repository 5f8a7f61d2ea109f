package io.letterbox.broker.handler;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
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
 * DescribeLogDirs: every data directory with the partitions it holds and their size on disk,
 * and (v4) the total and usable bytes of its file store. A null topic list means every
 * partition. Replicas never lag and never move between directories yet, so the offset lag is
 * 0 and there are no future replicas. A directory taken offline by an I/O error, or whose file
 * store cannot be read, is answered KAFKA_STORAGE_ERROR without partitions (as Kafka answers an
 * offline directory).
 */
public final class DescribeLogDirsHandler implements ApiHandler<DescribeLogDirsRequest> {

    /** v5 (cordoned directories, KIP-1066) came after Kafka 4.1, whose newest is v4. */
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
        Set<TopicPartition> wanted = null;
        if (data.topics() != null) {
            wanted = new HashSet<>();
            for (DescribeLogDirsRequestData.DescribableLogDirTopic t : data.topics()) {
                for (int p : t.partitions()) {
                    wanted.add(new TopicPartition(t.topic(), p));
                }
            }
        }
        List<Log> logs = logManager.logs().stream()
                .sorted(Comparator.comparing((Log l) -> l.topicPartition().topic())
                        .thenComparingInt(l -> l.topicPartition().partition()))
                .toList();
        DescribeLogDirsResponseData response = new DescribeLogDirsResponseData();
        for (Path dir : logManager.logDirs()) {
            DescribeLogDirsResult result = new DescribeLogDirsResult().setLogDir(dir.toString());
            response.results().add(result);
            if (logManager.isOffline(dir)) {
                result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
                continue;
            }
            try {
                FileStore store = Files.getFileStore(dir);
                result.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
            } catch (IOException e) {
                result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
                continue;
            }
            Map<String, DescribeLogDirsTopic> topics = new LinkedHashMap<>();
            for (Log log : logs) {
                TopicPartition tp = log.topicPartition();
                if ((wanted != null && !wanted.contains(tp)) || !dir.equals(log.dir().getParent())) {
                    continue;
                }
                topics.computeIfAbsent(tp.topic(), name -> new DescribeLogDirsTopic().setName(name))
                        .partitions().add(new DescribeLogDirsPartition().setPartitionIndex(tp.partition())
                                .setPartitionSize(log.sizeInBytes()).setOffsetLag(0).setIsFutureKey(false));
            }
            result.topics().addAll(topics.values());
        }
        return CompletableFuture.completedFuture(new DescribeLogDirsResponse(response));
    }
}
