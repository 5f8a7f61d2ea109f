package io.letterbox.cli.bench;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The live status line of a benchmark on stderr: on a terminal one line rewritten in place
 * ({@code \r} and erase-to-end-of-line), elsewhere (a pipe, a log file) a plain line each time.
 * Thread-safe: a timer thread updates it while the benchmark runs.
 */
final class ProgressLine {

    private final PrintWriter err;
    private final boolean terminal;
    private boolean shown;

    ProgressLine(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    boolean terminal() {
        return terminal;
    }

    synchronized void update(String text) {
        if (terminal) {
            err.print("\r" + text + "\u001b[K");
            shown = true;
        } else {
            err.println(text);
        }
        err.flush();
    }

    /**
     * Shows {@code text} now and then until the returned handle is closed: four times a second on
     * a terminal, once a second elsewhere. Closing shows it a last time and ends the line.
     */
    AutoCloseable every(java.util.function.Supplier<String> text) {
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-progress");
            t.setDaemon(true);
            return t;
        });
        long period = terminal ? 250 : 1000;
        timer.scheduleAtFixedRate(() -> update(text.get()), period, period, java.util.concurrent.TimeUnit.MILLISECONDS);
        return () -> {
            timer.shutdownNow();
            timer.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
            update(text.get());
            finish();
        };
    }

    /** Ends the live line so that what follows starts on a fresh line. */
    synchronized void finish() {
        if (terminal && shown) {
            err.println();
            err.flush();
            shown = false;
        }
    }

    /** Whether stderr is a terminal: on Linux from /proc, elsewhere from the console. */
    static boolean stderrIsTerminal() {
        Path fd2 = Path.of("/proc/self/fd/2");
        try {
            if (Files.exists(fd2)) {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (java.io.IOException | UnsupportedOperationException e) {
            // fall back to the console check
        }
        return System.console() != null;
    }
}
