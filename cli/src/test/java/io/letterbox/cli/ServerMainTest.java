package io.letterbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parser-free path of {@code letterbox server start}: what it takes, and what it leaves to picocli. */
class ServerMainTest {

    @Test
    void takesAFileAndOverridesInBothSpellings() {
        ServerStartCommand command = ServerMain.parsePlain(new String[] {"server", "start", "--override",
                "log.dirs=/tmp/a", "config/server.properties", "--override=node.id=2"}).orElseThrow();

        assertThat(command.propertiesFile).isEqualTo(Path.of("config/server.properties"));
        assertThat(command.overrides).containsExactly("log.dirs=/tmp/a", "node.id=2");
    }

    @Test
    void takesABareStart() {
        ServerStartCommand command = ServerMain.parsePlain(new String[] {"server", "start"}).orElseThrow();

        assertThat(command.propertiesFile).isNull();
        assertThat(command.overrides).isEmpty();
    }

    @Test
    void leavesHelpVersionBadUsageAndOtherCommandsToPicocli() {
        for (List<String> args : List.<List<String>>of(List.of("server", "start", "--help"), List.of("server", "start", "-h"),
                List.of("server", "start", "-V"), List.of("server", "start", "a", "b"),
                List.of("server", "start", "--override"), List.of("server", "start", "--bogus"),
                List.of("server", "--help"), List.of("server"), List.of("topic", "list"), List.of())) {
            assertThat(ServerMain.parsePlain(args.toArray(String[]::new))).as("%s", args).isEmpty();
        }
    }
}
