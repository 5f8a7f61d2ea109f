package io.letterbox.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.letterbox.storage.config.LogConfig;

/**
 * docs/configuration.md is what {@link ConfigurationDoc} renders from the config definitions.
 * With {@code -Dconfig.doc.write=true} the test writes the file instead of failing.
 */
class ConfigurationDocTest {

    private static final Path DOC = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize()
            .getParent().resolve("docs/configuration.md");

    @Test
    void everyBrokerAndTopicKeyHasARow() {
        String doc = ConfigurationDoc.render();

        for (String key : BrokerConfig.CONFIG_DEF.names()) {
            assertThat(doc).as("broker key %s", key).contains("| `" + key + "` |");
        }
        for (String key : LogConfig.CONFIG_DEF.names()) {
            assertThat(doc).as("topic key %s", key).contains("| `" + key + "` |");
        }
    }

    @Test
    void checkedInDocMatchesTheDefinitions() throws IOException {
        String rendered = ConfigurationDoc.render();

        if (Boolean.getBoolean("config.doc.write")) {
            Files.writeString(DOC, rendered, StandardCharsets.UTF_8);
        }

        String checkedIn = Files.exists(DOC) ? Files.readString(DOC, StandardCharsets.UTF_8) : "";
        assertThat(checkedIn)
                .as("%s is out of date with BrokerConfig/LogConfig; regenerate it with%n  %s%n", DOC,
                        ConfigurationDoc.REGENERATE)
                .isEqualTo(rendered);
    }
}
