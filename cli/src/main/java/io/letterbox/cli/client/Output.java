package io.letterbox.cli.client;

import java.io.PrintWriter;

import picocli.CommandLine.Option;

/**
 * The {@code -o/--output} mixin: {@code table} (the default, for people) or {@code json} (one JSON
 * document on stdout, for scripts).
 */
public final class Output {

    /** The formats a command can print. */
    public enum Format { table, json }

    @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table",
            description = "Output format: table (default) or json (one JSON document).")
    Format format = Format.table;

    public boolean json() {
        return format == Format.json;
    }

    /** Prints {@code model} as one JSON document followed by a newline. */
    public static void printJson(PrintWriter out, Object model) {
        out.println(Json.write(model));
        out.flush();
    }
}
