package io.letterbox.metadata.quorum;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.ratis.metrics.LongCounter;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.Timekeeper;
import org.apache.ratis.util.TimeDuration;

/**
 * Ratis' metrics, kept in memory: counters, timers (count and total nanoseconds) and gauges,
 * readable through {@link #global()}. Ratis requires some {@link MetricRegistries}
 * implementation at run time; this one, found through {@code META-INF/services}, spares the
 * Dropwizard-based default and its dependencies. No reporters: JMX and console reporting are
 * accepted and ignored.
 *
 * <p>Thread-safe.
 */
public final class InMemoryMetricRegistries extends MetricRegistries {
    private final Map<MetricRegistryInfo, Registry> registries = new ConcurrentHashMap<>();

    @Override
    public void clear() {
        registries.clear();
    }

    @Override
    public RatisMetricRegistry create(MetricRegistryInfo info) {
        return registries.computeIfAbsent(info, Registry::new);
    }

    @Override
    public boolean remove(MetricRegistryInfo info) {
        return registries.remove(info) != null;
    }

    @Override
    public Optional<RatisMetricRegistry> get(MetricRegistryInfo info) {
        return Optional.ofNullable(registries.get(info));
    }

    @Override
    public Set<MetricRegistryInfo> getMetricRegistryInfos() {
        return Set.copyOf(registries.keySet());
    }

    @Override
    public Collection<RatisMetricRegistry> getMetricRegistries() {
        return List.copyOf(registries.values());
    }

    @Override
    public void addReporterRegistration(Consumer<RatisMetricRegistry> onAdd, Consumer<RatisMetricRegistry> onRemove) {
        // no reporters
    }

    @Override
    public void enableJmxReporter() {
        // no reporters
    }

    @Override
    public void enableConsoleReporter(TimeDuration period) {
        // no reporters
    }

    /** One component's metrics. */
    public static final class Registry implements RatisMetricRegistry {
        private final MetricRegistryInfo info;
        private final Map<String, Counter> counters = new ConcurrentHashMap<>();
        private final Map<String, Timer> timers = new ConcurrentHashMap<>();
        private final Map<String, Supplier<?>> gauges = new ConcurrentHashMap<>();

        Registry(MetricRegistryInfo info) {
            this.info = info;
        }

        @Override
        public Timekeeper timer(String name) {
            return timers.computeIfAbsent(name, n -> new Timer());
        }

        @Override
        public LongCounter counter(String name) {
            return counters.computeIfAbsent(name, n -> new Counter());
        }

        @Override
        public boolean remove(String name) {
            return counters.remove(name) != null | timers.remove(name) != null | gauges.remove(name) != null;
        }

        @Override
        public <T> void gauge(String name, Supplier<Supplier<T>> gaugeSupplier) {
            gauges.put(name, gaugeSupplier.get());
        }

        /** The current value of a gauge, or null. */
        public Object gaugeValue(String name) {
            Supplier<?> g = gauges.get(name);
            return g == null ? null : g.get();
        }

        @Override
        public MetricRegistryInfo getMetricRegistryInfo() {
            return info;
        }
    }

    private static final class Counter implements LongCounter {
        private final LongAdder value = new LongAdder();

        @Override
        public void inc(long n) {
            value.add(n);
        }

        @Override
        public void dec(long n) {
            value.add(-n);
        }

        @Override
        public long getCount() {
            return value.sum();
        }
    }

    private static final class Timer implements Timekeeper {
        private final AtomicLong count = new AtomicLong();
        private final AtomicLong totalNanos = new AtomicLong();

        @Override
        public Context time() {
            long start = System.nanoTime();
            return () -> {
                long elapsed = System.nanoTime() - start;
                count.incrementAndGet();
                totalNanos.addAndGet(elapsed);
                return elapsed;
            };
        }
    }
}
