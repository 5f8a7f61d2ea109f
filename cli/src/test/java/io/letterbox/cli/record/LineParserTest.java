package io.letterbox.cli.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

class LineParserTest {

    @Test
    void aPlainLineIsTheValueWithoutKey() {
        LineParser.Parsed p = new LineParser(Map.of(), List.of()).parse("hello world", 1);
        assertThat(p.key()).isNull();
        assertThat(text(p.value())).isEqualTo("hello world");
        assertThat(p.headers()).isEmpty();
    }

    @Test
    void parseKeySplitsAtTheFirstSeparator() {
        LineParser parser = new LineParser(Map.of("parse.key", "true", "key.separator", ":"), List.of());
        LineParser.Parsed p = parser.parse("user-1:{\"a\":1}:x", 1);
        assertThat(text(p.key())).isEqualTo("user-1");
        assertThat(text(p.value())).isEqualTo("{\"a\":1}:x");
    }

    @Test
    void aMissingKeySeparatorNamesTheLineUnlessIgnored() {
        LineParser strict = new LineParser(Map.of("parse.key", "true", "key.separator", ":"), List.of());
        assertThatThrownBy(() -> strict.parse("no separator", 7)).hasMessageContaining("line 7 has no key separator ':'");
        LineParser lenient = new LineParser(Map.of("parse.key", "true", "key.separator", ":", "ignore.error", "true"),
                List.of());
        assertThat(text(lenient.parse("no separator", 7).value())).isEqualTo("no separator");
    }

    @Test
    void parseHeadersReadsHeadersBeforeKeyAndValue() {
        LineParser parser = new LineParser(Map.of("parse.headers", "true", "parse.key", "true"),
                List.of(new RecordHeader("fixed", "1".getBytes(StandardCharsets.UTF_8))));
        LineParser.Parsed p = parser.parse("h1:v1,h2:v2\tk\tv", 1);
        assertThat(p.headers()).extracting(Header::key).containsExactly("fixed", "h1", "h2");
        assertThat(text(p.headers().get(2).value())).isEqualTo("v2");
        assertThat(text(p.key())).isEqualTo("k");
        assertThat(text(p.value())).isEqualTo("v");
    }

    @Test
    void theNullMarkerMakesANullValue() {
        LineParser parser = new LineParser(Map.of("parse.key", "true", "key.separator", ":", "null.marker", "NULL"),
                List.of());
        LineParser.Parsed p = parser.parse("k:NULL", 1);
        assertThat(text(p.key())).isEqualTo("k");
        assertThat(p.value()).isNull();
    }

    @Test
    void refusesUnknownPropertiesAndEmptySeparators() {
        assertThatThrownBy(() -> new LineParser(Map.of("parse.keys", "true"), List.of()))
                .hasMessageContaining("unknown --property parse.keys");
        assertThatThrownBy(() -> new LineParser(Map.of("key.separator", ""), List.of()))
                .hasMessageContaining("key.separator must not be empty");
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
