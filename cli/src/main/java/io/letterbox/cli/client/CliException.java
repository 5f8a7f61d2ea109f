package io.letterbox.cli.client;

/**
 * A failure the user can act on: its message is the whole story (what went wrong and what to do),
 * printed as one line after {@code letterbox: } with exit code 1, never with a stack trace.
 */
public final class CliException extends RuntimeException {

    public CliException(String message) {
        super(message, null, false, false);
    }
}
