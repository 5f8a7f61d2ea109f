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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * InitProducerId for idempotent producers: a fresh id at epoch 0, or, when the producer sends
 * its current id and epoch (v3+, KIP-360), the same id at the next epoch, and a fresh id once
 * the epoch would pass {@code Short.MAX_VALUE - 1}.
 *
 * <p>A transactional id is refused with UNSUPPORTED_VERSION: transactions are not implemented
 * yet, and that is the protocol's code for a feature the broker lacks (it is not retriable, so
 * the producer fails at once instead of retrying until its timeout; an authorization or
 * coordinator code would be a lie about the cause). The response has no message field, so the
 * broker logs the reason. A transactional producer asks FindCoordinator first, which this broker
 * does not answer for transactions either, so it usually fails there already.
 */
public final class InitProducerIdHandler implements ApiHandler<InitProducerIdRequest> {

    private static final Logger log = LoggerFactory.getLogger(InitProducerIdHandler.class);

    private final ProducerIdAllocator allocator;

    public InitProducerIdHandler(ProducerIdAllocator allocator) {
        this.allocator = allocator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INIT_PRODUCER_ID;
    }

    /** v6 (two-phase commit, KIP-939) is not in Kafka 4.1's broker, whose newest is v5. */
    @Override
    public short latestVersion() {
        return 5;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, InitProducerIdRequest request) {
        InitProducerIdRequestData data = request.data();
        if (data.transactionalId() != null) {
            log.warn("Refused InitProducerId for transactional id '{}' from {}: transactions are not supported by "
                    + "this broker yet; use an idempotent producer without transactional.id",
                    data.transactionalId(), context.clientId());
            return CompletableFuture.completedFuture(new InitProducerIdResponse(new InitProducerIdResponseData()
                    .setErrorCode(Errors.UNSUPPORTED_VERSION.code())
                    .setProducerId(RecordBatch.NO_PRODUCER_ID).setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH)));
        }
        long id = data.producerId();
        short epoch = data.producerEpoch();
        if (id != RecordBatch.NO_PRODUCER_ID && epoch != RecordBatch.NO_PRODUCER_EPOCH && epoch < Short.MAX_VALUE - 1) {
            return CompletableFuture.completedFuture(answer(id, (short) (epoch + 1)));
        }
        return allocator.allocate().handle((newId, failure) -> {
            if (failure != null) {
                return new InitProducerIdResponse(new InitProducerIdResponseData()
                        .setErrorCode(ErrorMapping.errorOf(failure).code())
                        .setProducerId(RecordBatch.NO_PRODUCER_ID).setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH));
            }
            return answer(newId, (short) 0);
        });
    }

    private static AbstractResponse answer(long id, short epoch) {
        return new InitProducerIdResponse(new InitProducerIdResponseData().setProducerId(id).setProducerEpoch(epoch));
    }
}
