package io.letterbox.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void alignsTextLeftAndNumbersRightUnderCapitalHeaders() {
        Table t = new Table("topic", "partition", "size");
        t.row("orders", 0, "1.5 KiB");
        t.row("payments-eu", 12, null);

        StringWriter out = new StringWriter();
        t.print(new PrintWriter(out, true));

        assertThat(out.toString().lines()).containsExactly(
                "TOPIC        PARTITION  SIZE",
                "orders               0  1.5 KiB",
                "payments-eu         12  -");
    }

    @Test
    void formattedNumbersAlignRightToo() {
        Table t = new Table("p50 ms", "name");
        t.row("1.25", "a");
        t.row("100", "b");
        StringWriter out = new StringWriter();
        t.print(new PrintWriter(out, true));
        assertThat(out.toString().lines()).containsExactly("P50 MS  NAME", "  1.25  a", "   100  b");
    }

    @Test
    void refusesARowOfTheWrongWidth() {
        assertThatThrownBy(() -> new Table("a", "b").row("only one")).isInstanceOf(IllegalArgumentException.class);
    }
}
