package io.letterbox.cli.client;

import java.util.List;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** The producer's {@code acks} values a command accepts: all (or -1), 1, 0. */
public final class Acks {

    private static final List<String> VALUES = List.of("all", "-1", "1", "0");

    private Acks() {
    }

    /** A usage error (exit 2) unless {@code acks} is one of the values. */
    public static String require(CommandSpec spec, String acks) {
        if (!VALUES.contains(acks)) {
            throw new ParameterException(spec.commandLine(), "--acks takes all, 1 or 0, not '" + acks + "'");
        }
        return acks;
    }
}
