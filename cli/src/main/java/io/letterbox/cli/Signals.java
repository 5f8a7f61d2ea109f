package io.letterbox.cli;

import java.util.concurrent.atomic.AtomicBoolean;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT (Ctrl-C) run the clean shutdown once and leave with exit code 0, which a
 * JVM shutdown hook alone cannot do (it exits 143/130). The hook stays as the fallback for
 * other ways the JVM is asked to stop.
 */
public final class Signals {

    private Signals() {
    }

    public static void onTerminate(Runnable shutdown) {
        AtomicBoolean once = new AtomicBoolean();
        Runnable runOnce = () -> {
            if (once.compareAndSet(false, true)) {
                shutdown.run();
            }
        };
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), sig -> {
                    runOnce.run();
                    Runtime.getRuntime().halt(0);
                });
            } catch (IllegalArgumentException unsupported) {
                // The platform lacks this signal: the shutdown hook covers it.
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(runOnce, "letterbox-shutdown"));
    }
}
