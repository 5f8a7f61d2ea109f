package io.letterbox.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void writesNestedValuesInOrderOnOneLine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("topic", "orders");
        m.put("partitions", 3);
        m.put("internal", false);
        m.put("leader", null);
        m.put("isr", List.of(1, 2));
        m.put("configs", Map.of("retention.ms", "60000"));
        assertThat(Json.write(m)).isEqualTo(
                "{\"topic\":\"orders\",\"partitions\":3,\"internal\":false,\"leader\":null,\"isr\":[1,2],"
                        + "\"configs\":{\"retention.ms\":\"60000\"}}");
    }

    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        assertThat(Json.write("a\"b\\c\nd\te\u0001f\u2028")).isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001f\\u2028\"");
    }

    @Test
    void keepsNonAsciiTextAsIs() {
        assertThat(Json.write("café ☕ 日本")).isEqualTo("\"café ☕ 日本\"");
    }

    @Test
    void writesNanAsNullAndArraysAsLists() {
        assertThat(Json.write(Arrays.asList(Double.NaN, 1.5, new Object[] {"x"}))).isEqualTo("[null,1.5,[\"x\"]]");
    }
}
