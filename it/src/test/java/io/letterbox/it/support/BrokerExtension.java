package io.letterbox.it.support;

import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One broker for a whole test class: started before the first test, closed after the last.
 * Register it as {@code @RegisterExtension static final BrokerExtension BROKER = new
 * BrokerExtension("name", Map.of(...))}; the overrides apply to the brokers the run starts
 * itself, not to an external one.
 */
public final class BrokerExtension implements BeforeAllCallback, AfterAllCallback {

    private final String name;
    private final Map<String, String> overrides;
    private TestBroker broker;

    public BrokerExtension(String name, Map<String, String> overrides) {
        this.name = name;
        this.overrides = overrides;
    }

    public BrokerExtension(String name) {
        this(name, Map.of());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = ItSupport.startBroker(name, overrides);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
        }
    }

    public TestBroker broker() {
        return broker;
    }

    public String bootstrap() {
        return broker.bootstrap();
    }
}
