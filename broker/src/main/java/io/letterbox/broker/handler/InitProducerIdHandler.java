package io.letterbox.broker.handler;

import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.RequestContext;

/**
 * InitProducerId for idempotent producers: a fresh id at epoch 0, or, when the producer sends
 * its current id and epoch (KIP-360, after a sequence error), the same id at the next epoch.
 *
 * <p>A transactional id is refused with UNSUPPORTED_VERSION, the protocol's answer for a feature
 * the broker lacks: transactions are not implemented yet (nor is FindCoordinator, which a
 * transactional producer asks first, so it fails there already).
 */
public final class InitProducerIdHandler implements ApiHandler<InitProducerIdRequest> {

    private final ProducerIdAllocator allocator;

    public InitProducerIdHandler(ProducerIdAllocator allocator) {
        this.allocator = allocator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INIT_PRODUCER_ID;
    }

    /** v6 (two-phase commit, KIP-939) came after Kafka 4.1, whose newest is v5. */
    @Override
    public short latestVersion() {
        return 5;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, InitProducerIdRequest request) {
        InitProducerIdRequestData data = request.data();
        if (data.transactionalId() != null) {
            return CompletableFuture.completedFuture(new InitProducerIdResponse(new InitProducerIdResponseData()
                    .setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setProducerId(-1).setProducerEpoch((short) -1)));
        }
        long id = data.producerId();
        short epoch = data.producerEpoch();
        if (id != RecordBatch.NO_PRODUCER_ID && epoch != RecordBatch.NO_PRODUCER_EPOCH && epoch < Short.MAX_VALUE - 1) {
            return CompletableFuture.completedFuture(answer(id, (short) (epoch + 1)));
        }
        return allocator.allocate().thenApply(newId -> answer(newId, (short) 0));
    }

    private static AbstractResponse answer(long id, short epoch) {
        return new InitProducerIdResponse(new InitProducerIdResponseData().setProducerId(id).setProducerEpoch(epoch));
    }
}
