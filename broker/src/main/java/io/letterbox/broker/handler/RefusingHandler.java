package io.letterbox.broker.handler;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.IllegalSaslStateException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestContext;

/**
 * Answers every request of one API with one error, where Kafka does the same because the feature
 * is off there: the API is advertised and answered in the protocol's form, so clients and tools
 * report what is off rather than a missing API.
 */
public final class RefusingHandler implements ApiHandler<AbstractRequest> {

    private static final Set<ApiKeys> ACL_APIS = Set.of(ApiKeys.DESCRIBE_ACLS, ApiKeys.CREATE_ACLS,
            ApiKeys.DELETE_ACLS);
    private static final Set<ApiKeys> SASL_APIS = Set.of(ApiKeys.SASL_HANDSHAKE, ApiKeys.SASL_AUTHENTICATE);

    private final ApiKeys api;
    private final Function<RequestContext, ApiException> error;

    private RefusingHandler(ApiKeys api, Function<RequestContext, ApiException> error) {
        this.api = api;
        this.error = error;
    }

    /**
     * DescribeAcls, CreateAcls or DeleteAcls on a broker without an authorizer, which Letterbox
     * always is: SECURITY_DISABLED, as Kafka answers when {@code authorizer.class.name} is unset.
     */
    public static RefusingHandler aclsDisabled(ApiKeys api) {
        require(ACL_APIS, api);
        return new RefusingHandler(api, context -> new SecurityDisabledException(
                "No Authorizer is configured on the broker"));
    }

    /**
     * SaslHandshake or SaslAuthenticate where no authentication is under way: on a listener
     * without SASL, or on a SASL connection that logged in already (its authenticator takes them
     * before that). ILLEGAL_SASL_STATE, as Kafka answers them there.
     */
    public static RefusingHandler saslOutOfPlace(ApiKeys api) {
        require(SASL_APIS, api);
        return new RefusingHandler(api, context -> new IllegalSaslStateException("Unexpected " + api.name
                + ": this connection is not authenticating (listener " + context.listenerName() + ", "
                + context.securityProtocol + ")"));
    }

    private static void require(Set<ApiKeys> apis, ApiKeys api) {
        if (!apis.contains(api)) {
            throw new IllegalArgumentException(api + " is not one of " + apis);
        }
    }

    @Override
    public ApiKeys apiKey() {
        return api;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        return CompletableFuture.completedFuture(request.getErrorResponse(0, error.apply(context)));
    }
}
