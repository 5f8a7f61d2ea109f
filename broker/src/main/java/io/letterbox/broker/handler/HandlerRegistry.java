package io.letterbox.broker.handler;

import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Maps each API key to its handler. The registry is the truth of what the broker speaks:
 * ApiVersions is computed from it, and a request for a key or version it lacks is refused.
 * Filled once at start-up, then read-only (safe to share between threads).
 */
public final class HandlerRegistry {

    private final ApiHandler<?>[] byKey = new ApiHandler<?>[maxKeyId() + 1];

    public HandlerRegistry register(ApiHandler<?> handler) {
        int id = handler.apiKey().id;
        if (byKey[id] != null) {
            throw new IllegalStateException("two handlers for " + handler.apiKey());
        }
        if (handler.oldestVersion() < handler.apiKey().oldestVersion()
                || handler.latestVersion() > handler.apiKey().latestVersion(true)) {
            throw new IllegalStateException(handler.apiKey() + " handler declares versions the codec lacks");
        }
        byKey[id] = handler;
        return this;
    }

    /** The handler for this key and version, or null when the broker does not speak it. */
    public ApiHandler<?> find(ApiKeys key, short version) {
        ApiHandler<?> handler = byKey[key.id];
        if (handler == null || version < handler.oldestVersion() || version > handler.latestVersion()) {
            return null;
        }
        return handler;
    }

    /** What ApiVersions advertises. */
    public ApiVersionCollection apiVersions() {
        ApiVersionCollection out = new ApiVersionCollection();
        for (ApiHandler<?> h : byKey) {
            if (h != null) {
                out.add(new ApiVersion().setApiKey(h.apiKey().id)
                        .setMinVersion(h.oldestVersion()).setMaxVersion(h.latestVersion()));
            }
        }
        return out;
    }

    private static int maxKeyId() {
        int max = 0;
        for (ApiKeys k : ApiKeys.values()) {
            max = Math.max(max, k.id);
        }
        return max;
    }
}
