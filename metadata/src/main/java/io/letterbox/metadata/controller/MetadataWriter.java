package io.letterbox.metadata.controller;

import io.letterbox.metadata.record.MetadataRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the controller appends its record batches: the metadata log. The future completes with
 * the batch's log offset once the batch is committed and applied to the local image, or fails
 * (e.g. {@link org.apache.kafka.common.errors.NotControllerException}) when it cannot be committed.
 */
@FunctionalInterface
public interface MetadataWriter {
    CompletableFuture<Long> append(List<MetadataRecord> records);
}
