package io.letterbox.cli.bench;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.letterbox.cli.client.Output;
import io.letterbox.cli.client.Table;

/**
 * What a benchmark measured: records and bytes over a time, and a latency histogram whose
 * meaning {@code latency} names (send to acknowledgement, one poll, send to receipt). Prints as a
 * table or one JSON object.
 */
record BenchResult(String name, String latency, long records, long bytes, long elapsedNanos, LatencyHistogram histogram) {

    double seconds() {
        return elapsedNanos / 1e9;
    }

    double recordsPerSecond() {
        return elapsedNanos == 0 ? 0 : records / seconds();
    }

    double megabytesPerSecond() {
        return elapsedNanos == 0 ? 0 : bytes / seconds() / (1024 * 1024);
    }

    void print(PrintWriter out, boolean json) {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("benchmark", name);
            m.put("records", records);
            m.put("bytes", bytes);
            m.put("seconds", round(seconds()));
            m.put("recordsPerSecond", round(recordsPerSecond()));
            m.put("mbPerSecond", round(megabytesPerSecond()));
            m.put("latency", latency);
            m.put("p50Ms", ms(histogram.percentileMicros(50)));
            m.put("p99Ms", ms(histogram.percentileMicros(99)));
            m.put("p999Ms", ms(histogram.percentileMicros(99.9)));
            m.put("maxMs", ms(histogram.maxMicros()));
            Output.printJson(out, m);
            return;
        }
        Table t = new Table("benchmark", "records", "seconds", "records/s", "MiB/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms");
        t.row(name, records, fmt(seconds()), fmt(recordsPerSecond()), fmt(megabytesPerSecond()),
                fmt(ms(histogram.percentileMicros(50))), fmt(ms(histogram.percentileMicros(99))),
                fmt(ms(histogram.percentileMicros(99.9))), fmt(ms(histogram.maxMicros())));
        t.print(out);
        out.println("Latency: " + latency + ".");
        out.flush();
    }

    /** Progress text: records so far and the rate since the start. */
    static String progress(String name, long done, long total, long bytes, long elapsedNanos) {
        double s = Math.max(1e-9, elapsedNanos / 1e9);
        return String.format(Locale.ROOT, "%s: %d/%d records, %.0f records/s, %.2f MiB/s", name, done, total, done / s,
                bytes / s / (1024 * 1024));
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.2f", v);
    }
}
