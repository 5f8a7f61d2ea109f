package io.letterbox.cli.client;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waits for a client future and rethrows its failure itself, so that {@link ClientErrors} sees the Kafka exception. */
public final class Futures {

    private Futures() {
    }

    public static <T> T get(Future<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new CliException(String.valueOf(cause));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }
}
