package io.letterbox.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The entry point {@code bin/letterbox} uses for {@code letterbox server ...}. A plain
 * {@code server start}, followed only by at most one file and {@code --override key=value} pairs
 * (what scripts and services pass), is parsed here and started at once; everything else (help,
 * version, bad usage) goes to {@link Letterbox}. Picocli targets Java 5, so the class archive cannot
 * hold it or any class that needs it to load, and building the whole command tree would add a third
 * of a second to every broker start.
 */
public final class ServerMain {

    private ServerMain() {
    }

    public static void main(String[] args) {
        Optional<ServerStartCommand> start = parsePlain(args);
        if (start.isEmpty()) {
            Letterbox.main(args);
            return;
        }
        try {
            System.exit(start.get().run(new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
        } catch (InterruptedException e) {
            System.exit(1);
        }
    }

    /** {@code args} as a plain {@code server start} command line, or empty if it is anything else. */
    static Optional<ServerStartCommand> parsePlain(String[] args) {
        if (args.length < 2 || !args[0].equals("server") || !args[1].equals("start")) {
            return Optional.empty();
        }
        ServerStartCommand command = new ServerStartCommand();
        for (int i = 2; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--override") && i + 1 < args.length) {
                command.overrides.add(args[++i]);
            } else if (arg.startsWith("--override=")) {
                command.overrides.add(arg.substring("--override=".length()));
            } else if (!arg.startsWith("-") && command.propertiesFile == null) {
                command.propertiesFile = Path.of(arg);
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(command);
    }
}
