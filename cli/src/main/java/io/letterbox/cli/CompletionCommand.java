package io.letterbox.cli;

import java.util.concurrent.Callable;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code letterbox completion bash}: prints a bash (and zsh) completion script for every subcommand. */
@Command(name = "completion", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Print a shell completion script (bash; zsh loads it with bashcompinit).",
        footer = {"", "Examples:",
                "  source <(letterbox completion bash)",
                "  letterbox completion bash > /etc/bash_completion.d/letterbox"})
public final class CompletionCommand implements Callable<Integer> {

    /** The shells with a script. */
    enum Shell { bash }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", description = "The shell: bash.")
    Shell shell;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(AutoComplete.bash("letterbox", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
