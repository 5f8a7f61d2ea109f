package io.letterbox.cli.client;

import java.util.concurrent.Callable;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What every client command has: its picocli spec (for its output streams and usage errors) and
 * the {@link ClientOptions} that reach the cluster. A subclass's {@code call()} returns the exit
 * code; it throws {@link #usage} for bad usage (exit 2) and lets client exceptions through, which
 * {@link ClientErrors} turns into one line (exit 1).
 */
public abstract class ClientCommand implements Callable<Integer>, ErrorSubject {

    @Spec
    protected CommandSpec spec;

    @Mixin
    protected ClientOptions client;

    /** A usage error: one line and a pointer to --help, exit 2. */
    protected ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
