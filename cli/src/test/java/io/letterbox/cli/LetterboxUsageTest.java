package io.letterbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import picocli.CommandLine;

/**
 * The command line as a user meets it, without a broker: bad usage exits 2 with one line and a
 * pointer to --help, a missing broker exits 1 with the one line that says what to do, and every
 * command documents itself with a description and examples.
 */
class LetterboxUsageTest {

    /** What one run printed and returned. */
    record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Letterbox.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "topic create --bogus x|Unknown option: '--bogus'|letterbox topic create --help",
        "topic create|Missing required parameter: 'TOPIC'|letterbox topic create --help",
        "topic create t --partitions many|'many' is not an int|letterbox topic create --help",
        "topic create t --partitions 0|--partitions must be at least 1|letterbox topic create --help",
        "topic alter t|nothing to change|letterbox topic alter --help",
        "produce|Missing required parameter: 'TOPIC'|letterbox produce --help",
        "produce t --acks 2|--acks takes all, 1 or 0|letterbox produce --help",
        "produce t --property no.such=1|unknown --property no.such|letterbox produce --help",
        "consume t --offset 5|--offset 5 needs --partition|letterbox consume --help",
        "consume t --offset soon --partition 0|--offset takes earliest, latest|letterbox consume --help",
        "consume t --group g --partition 0|cannot be combined|letterbox consume --help",
        "consume t --from-beginning --offset latest|give only one of|letterbox consume --help",
        "consume t --from-time yesterday|is not a time|letterbox consume --help",
        "consume t --format xml|--format takes value, key-value or json|letterbox consume --help",
        "consume t --max-messages lots|'lots' is not a long|letterbox consume --help",
        "group reset-offsets --group g --topic t --to-earliest --to-latest|mutually exclusive|letterbox group reset-offsets --help",
        "group reset-offsets --group g --to-earliest|Missing required argument|letterbox group reset-offsets --help",
        "group reset-offsets --group g --topic t --by-duration 10m|--by-duration takes an ISO-8601 duration|letterbox group reset-offsets --help",
        "group describe|Missing required option: '--group=GROUP'|letterbox group describe --help",
        "bench produce --topic t --num-records 0|--num-records must be at least 1|letterbox bench produce --help",
        "bench e2e --topic t --record-size 4|--record-size must be at least 8|letterbox bench e2e --help",
        "completion fish|Invalid value for positional parameter at index 0 (SHELL)|letterbox completion --help",
        "nosuchcommand|Unmatched argument at index 0: 'nosuchcommand'|letterbox --help",
        "topic lisst|(did you mean 'list'?)|letterbox topic --help",
    })
    void badUsageExits2WithOneLineAndAPointerToHelp(String args, String reason, String help) {
        // Given a bogus bootstrap, so that reaching the network would show as exit 1, not 2
        List<String> argv = new ArrayList<>(List.of(args.split(" ")));
        if (!"completion".equals(argv.get(0)) && !"nosuchcommand".equals(argv.get(0))) {
            argv.add("--bootstrap-server");
            argv.add("127.0.0.1:1");
        }

        // When
        Run r = run(argv.toArray(String[]::new));

        // Then: exit 2, the reason on the first line, the --help pointer on the second, nothing else
        assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
        List<String> lines = r.err().lines().toList();
        assertThat(lines).as(r.err()).hasSize(2);
        assertThat(lines.get(0)).startsWith("letterbox: ").contains(reason);
        assertThat(lines.get(1)).isEqualTo("Try '" + help + "'.");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aMissingBrokerIsOneLineSayingWhatToDoAndExit1() throws IOException {
        // Given a loopback port nobody listens on
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }

        // When
        Run r = run("topic", "list", "--bootstrap-server", "127.0.0.1:" + port);

        // Then
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("letterbox: no broker at 127.0.0.1:" + port
                + ": start one with `bin/letterbox server start` or pass --bootstrap-server" + System.lineSeparator());
    }

    @Test
    void everyCommandHasADescriptionAndExamples() {
        List<CommandLine> all = new ArrayList<>();
        collect(Letterbox.commandLine(), all);
        assertThat(all).hasSizeGreaterThan(20);
        for (CommandLine c : all) {
            if (c.getCommand() instanceof CommandLine.HelpCommand) {
                continue;
            }
            String usage = c.getUsageMessage(CommandLine.Help.Ansi.OFF);
            String name = c.getCommandSpec().qualifiedName();
            assertThat(c.getCommandSpec().usageMessage().description()).as(name).isNotEmpty();
            assertThat(usage).as(name).contains("Examples:");
        }
    }

    @Test
    void completionPrintsABashScriptCoveringTheSubcommands() {
        Run r = run("completion", "bash");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("complete -F").contains("reset-offsets").contains("--bootstrap-server");
    }

    private static void collect(CommandLine c, List<CommandLine> into) {
        into.add(c);
        c.getSubcommands().values().stream().distinct().forEach(s -> collect(s, into));
    }
}
