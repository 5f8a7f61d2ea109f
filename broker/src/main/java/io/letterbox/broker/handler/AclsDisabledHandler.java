package io.letterbox.broker.handler;

import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestContext;

/**
 * DescribeAcls, CreateAcls and DeleteAcls on a broker without an authorizer, which Letterbox
 * always is: SECURITY_DISABLED, as Kafka answers when {@code authorizer.class.name} is unset. Tools
 * that list ACLs (kafka-acls, admin UIs) then report that security is off, rather than that the
 * broker lacks the API.
 */
public final class AclsDisabledHandler implements ApiHandler<AbstractRequest> {

    private static final String MESSAGE = "No Authorizer is configured on the broker";

    private final ApiKeys api;

    /** @param api DESCRIBE_ACLS, CREATE_ACLS or DELETE_ACLS */
    public AclsDisabledHandler(ApiKeys api) {
        if (api != ApiKeys.DESCRIBE_ACLS && api != ApiKeys.CREATE_ACLS && api != ApiKeys.DELETE_ACLS) {
            throw new IllegalArgumentException(api + " is not an ACL API");
        }
        this.api = api;
    }

    @Override
    public ApiKeys apiKey() {
        return api;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        return CompletableFuture.completedFuture(request.getErrorResponse(0, new SecurityDisabledException(MESSAGE)));
    }
}
